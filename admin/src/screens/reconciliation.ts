import { api, ok } from '../client';
import { field, h, table } from '../dom';
import { dayStart, time } from '../format';
import { t } from '../i18n';
import { go, navLink } from '../nav';
import { rt } from './reconciliation-i18n';

export interface RunItem {
  id: string;
  status: string;
  source: string;
  period?: { from: string | null; to: string | null };
  createdAt: string;
  rows: number;
  matched: number;
  exceptions: number;
  open: number;
}

const DAY = 86_400_000;

export function periodText(period?: { from: string | null; to: string | null }): string {
  if (!period?.from || !period.to) return '—';
  return `${time(period.from)} – ${time(period.to)}`;
}

/** A JSON report goes as JSON (rows and period); anything else as the multipart file. */
async function upload(file: File, period: { from: string; to: string } | null): Promise<string> {
  const query = { async: 'true' as const };
  if (/\.json$/i.test(file.name) || file.type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      throw new Error(rt('badJson'));
    }
    const rows = Array.isArray(parsed) ? parsed : (parsed as { rows?: unknown })?.rows;
    if (!Array.isArray(rows)) throw new Error(rt('badJson'));
    const run = await ok<{ id: string }>(
      api.POST('/api/reconciliation/runs', {
        params: { query },
        body: { rows, ...(period ?? {}) } as never,
      }),
    );
    return run.id;
  }
  const form = new FormData();
  if (period) {
    form.append('from', period.from);
    form.append('to', period.to);
  }
  form.append('report', file, file.name);
  const run = await ok<{ id: string }>(
    api.POST('/api/reconciliation/runs', { params: { query }, body: form as never }),
  );
  return run.id;
}

function uploadForm(): HTMLElement {
  const file = h('input', {
    type: 'file',
    name: 'report',
    accept: '.csv,.json,text/csv,application/json',
    required: true,
  });
  const from = h('input', { type: 'date', name: 'from' });
  const to = h('input', { type: 'date', name: 'to' });
  const message = h('p', { role: 'status', class: 'error' });
  const submit = h('button', { type: 'submit' }, rt('reconcile'));
  const form = h(
    'form',
    { class: 'card filters', 'aria-labelledby': 'upload-title' },
    h('h2', { id: 'upload-title' }, rt('upload')),
    field(rt('report'), file),
    field(rt('periodFrom'), from),
    field(rt('periodTo'), to),
    submit,
    message,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return void (message.textContent = rt('fileRequired'));
    if (!from.value !== !to.value) return void (message.textContent = rt('periodRequired'));
    const period = from.value
      ? {
          from: dayStart(from.value),
          to: dayStart(new Date(Date.parse(to.value) + DAY).toISOString().slice(0, 10)),
        }
      : null;
    submit.disabled = true;
    message.textContent = rt('working');
    upload(chosen, period).then(
      (id) => go(`/reconciliation/${id}`),
      (err: Error) => {
        submit.disabled = false;
        message.textContent = err.message;
      },
    );
  });
  return form;
}

export async function reconciliationScreen(): Promise<HTMLElement> {
  const list = await ok<{ items: RunItem[]; total: number }>(
    api.GET('/api/reconciliation/runs', { params: { query: { pageSize: 50 } } }),
  );
  return h(
    'div',
    {},
    h('h1', {}, rt('reconciliation')),
    uploadForm(),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'runs-title' },
      h('h2', { id: 'runs-title' }, rt('runs')),
      list.items.length
        ? table(
            [
              t('created'),
              rt('period'),
              rt('source'),
              t('status'),
              rt('rows'),
              rt('matched'),
              rt('exceptions'),
              rt('open'),
            ],
            list.items.map((r) => [
              navLink(`/reconciliation/${r.id}`, time(r.createdAt)),
              periodText(r.period),
              r.source,
              h('span', { class: `badge s-${r.status}` }, r.status),
              r.rows,
              r.matched,
              r.exceptions,
              r.open,
            ]),
          )
        : h('p', {}, rt('noRuns')),
    ),
  );
}
