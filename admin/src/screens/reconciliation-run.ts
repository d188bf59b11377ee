import { api, ok } from '../client';
import { field, h, table } from '../dom';
import { money, time } from '../format';
import { t } from '../i18n';
import { navLink } from '../nav';
import { periodText } from './reconciliation';
import { ReconKey, rt } from './reconciliation-i18n';

/** The hub's exception types, the most dangerous first (src/reconciliation/exception-types.ts). */
const TYPES = [
  'provider_paid_journal_pending',
  'provider_paid_journal_missing',
  'journal_paid_provider_not_paid',
  'amount_mismatch',
  'currency_mismatch',
  'refund_not_in_journal',
  'missing_order_id',
  'duplicate_provider_row',
  'malformed_row',
  'destination_not_paid',
  'destination_missing',
  'paid_outside_period',
] as const;
type ExceptionType = (typeof TYPES)[number];
type Action = 'lookup' | 'redeliver' | 'resolve';

interface Side {
  status?: string;
  state?: string;
  amountMinor?: number | null;
  currency?: string | null;
}
interface ExceptionItem {
  id: string;
  type: ExceptionType;
  line: number | null;
  orderId: string | null;
  providerReference: string | null;
  connectionType: string | null;
  detail: {
    report?: Side | null;
    journal?: Side | null;
    destination?: Side | null;
    connectionName?: string;
    problem?: string;
  };
  status: 'open' | 'repaired' | 'resolved';
  repairs: Action[];
}
interface Run {
  id: string;
  status: string;
  source: string;
  period?: { from: string | null; to: string | null };
  actor?: string;
  createdAt?: string;
  error?: string | null;
  summary: {
    rows: number;
    matched: number;
    exceptions: number;
    byType: Partial<Record<ExceptionType, { count: number; totals: Record<string, number> }>>;
  };
  exceptions: { page: number; pageSize: number; total: number; items: ExceptionItem[] };
}

const PAGE_SIZE = 50;
const STATUS_KEY: Record<ExceptionItem['status'], ReconKey> = {
  open: 'statusOpen',
  repaired: 'statusRepaired',
  resolved: 'statusResolved',
};

const side = (s?: Side | null) =>
  s ? `${s.status ?? s.state ?? ''} ${money(s.amountMinor, s.currency)}`.trim() : '—';

export async function reconciliationRunScreen(id: string): Promise<HTMLElement> {
  const root = h('div', {});
  const state = { page: 1, type: '' as ExceptionType | '' };
  const message = h('p', { role: 'status' });

  const repair = (path: Promise<unknown>) =>
    path.then(
      () => load(),
      (err: Error) => (message.textContent = err.message),
    );
  const repairOne = (e: ExceptionItem, action: Action, comment?: string) =>
    repair(
      ok(
        api.POST('/api/reconciliation/exceptions/{id}/repair', {
          params: { path: { id: e.id } },
          body: { action, ...(comment ? { comment } : {}) },
        }),
      ),
    );

  function actions(e: ExceptionItem): HTMLElement {
    const cell = h('div', { class: 'actions' });
    for (const action of e.repairs) {
      if (action === 'resolve') {
        const comment = h('input', {
          name: 'comment',
          'aria-label': rt('comment'),
          placeholder: rt('comment'),
        });
        const apply = h('button', { type: 'submit', class: 'small' }, rt('resolve'));
        const form = h('form', { class: 'actions' }, comment, apply);
        form.addEventListener('submit', (ev) => {
          ev.preventDefault();
          void repairOne(e, 'resolve', comment.value.trim());
        });
        cell.append(form);
      } else {
        const b = h('button', { type: 'button', class: 'small' }, rt(action));
        b.addEventListener('click', () => void repairOne(e, action));
        cell.append(b);
      }
    }
    return cell;
  }

  function summary(run: Run): HTMLElement {
    const types = TYPES.filter((type) => (run.summary.byType[type]?.count ?? 0) > 0);
    const filterLink = (type: ExceptionType) => {
      const b = h('button', { type: 'button', class: 'link' }, rt(type));
      b.addEventListener('click', () => {
        state.type = type;
        state.page = 1;
        void load();
      });
      return b;
    };
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'summary-title' },
      h('h2', { id: 'summary-title' }, rt('exceptions')),
      h(
        'p',
        {},
        `${rt('rows')}: ${run.summary.rows} · ${rt('matched')}: ${run.summary.matched} · ` +
          `${rt('exceptions')}: ${run.summary.exceptions}`,
      ),
      types.length
        ? table(
            [rt('type'), rt('count'), rt('totals')],
            types.map((type) => {
              const s = run.summary.byType[type]!;
              const totals = Object.entries(s.totals).map(([cur, n]) => money(n, cur));
              return [filterLink(type), s.count, totals.join(', ') || '—'];
            }),
          )
        : h('p', {}, rt('noExceptions')),
    );
  }

  function exceptions(run: Run): HTMLElement {
    const select = h(
      'select',
      { name: 'type', 'aria-label': rt('type') },
      h('option', { value: '' }, rt('allTypes')),
      TYPES.map((type) => h('option', { value: type, selected: state.type === type }, rt(type))),
    );
    select.addEventListener('change', () => {
      state.type = select.value as ExceptionType | '';
      state.page = 1;
      void load();
    });
    const csv = `/api/reconciliation/runs/${id}/exceptions.csv${state.type ? `?type=${state.type}` : ''}`;
    const { page, total, items } = run.exceptions;
    const pager = h('div', { class: 'actions' });
    const turn = (to: number, label: string, enabled: boolean) => {
      const b = h('button', { type: 'button', class: 'small', disabled: !enabled }, label);
      b.addEventListener('click', () => {
        state.page = to;
        void load();
      });
      return b;
    };
    pager.append(
      turn(page - 1, t('prev'), page > 1),
      h('span', {}, `${t('page')} ${page} · ${items.length} / ${total}`),
      turn(page + 1, t('next'), page * PAGE_SIZE < total),
    );
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'exceptions-title' },
      h('h2', { id: 'exceptions-title' }, rt('repair')),
      h('div', { class: 'actions' }, select, h('a', { href: csv, download: '' }, rt('exportCsv'))),
      items.length
        ? table(
            [
              rt('type'),
              rt('line'),
              t('orderId'),
              rt('reference'),
              rt('providerSays'),
              rt('journalSays'),
              t('status'),
              rt('repair'),
            ],
            items.map((e) => [
              rt(e.type),
              e.line ?? '—',
              e.orderId ? navLink(`/payments/${encodeURIComponent(e.orderId)}`, e.orderId) : '—',
              e.providerReference ?? '—',
              e.detail.problem ??
                (e.connectionType
                  ? `${e.detail.connectionName ?? e.connectionType}: ${side(e.detail.destination)}`
                  : side(e.detail.report)),
              side(e.detail.journal),
              h('span', { class: `badge s-${e.status}` }, rt(STATUS_KEY[e.status])),
              actions(e),
            ]),
          )
        : h('p', {}, t('noResults')),
      total > PAGE_SIZE ? pager : '',
    );
  }

  function bulk(): HTMLElement {
    const action = h(
      'select',
      { name: 'bulkAction' },
      (['lookup', 'redeliver', 'resolve'] as const).map((a) => h('option', { value: a }, rt(a))),
    );
    const comment = h('input', { name: 'bulkComment' });
    const form = h(
      'form',
      { class: 'card filters', 'aria-labelledby': 'bulk-title' },
      h('h2', { id: 'bulk-title' }, rt('bulk')),
      field(rt('action'), action),
      field(rt('comment'), comment),
      h('button', { type: 'submit' }, rt('applyAll')),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = {
        action: action.value as Action,
        ...(state.type ? { type: state.type } : {}),
        ...(comment.value.trim() ? { comment: comment.value.trim() } : {}),
      };
      void ok<{ repaired: number; failed: number; errors: string[] }>(
        api.POST('/api/reconciliation/runs/{id}/repair', { params: { path: { id } }, body }),
      ).then(
        async (out) => {
          await load();
          message.textContent = [rt('bulkDone', { ...out, errors: '' }), ...out.errors].join(' · ');
        },
        (err: Error) => (message.textContent = err.message),
      );
    });
    return form;
  }

  async function load(): Promise<void> {
    const query = {
      page: state.page,
      pageSize: PAGE_SIZE,
      ...(state.type && { type: state.type }),
    };
    const run = await ok<Run>(
      api.GET('/api/reconciliation/runs/{id}', { params: { path: { id }, query } }),
    );
    message.textContent = '';
    const busy = run.status === 'queued' || run.status === 'running' || run.status === 'ingesting';
    root.replaceChildren(
      h('h1', {}, `${rt('run')} · ${time(run.createdAt)}`),
      h(
        'p',
        {},
        h('span', { class: `badge s-${run.status}` }, run.status),
        ` ${rt('period')}: ${periodText(run.period)} · ${rt('source')}: ${run.source}`,
        run.actor ? ` · ${t('actor')}: ${run.actor}` : '',
      ),
      run.error ? h('p', { role: 'alert' }, run.error) : '',
      message,
      ...(busy ? [h('p', { class: 'muted' }, rt('working'))] : [summary(run), exceptions(run)]),
      ...(busy ? [] : [bulk()]),
      h('p', {}, navLink('/reconciliation', rt('runs'))),
    );
    if (busy) setTimeout(() => root.isConnected && void load(), 1000);
  }

  await load();
  return root;
}
