import { api, ok } from '../client';
import { field, h, table } from '../dom';
import { money, time } from '../format';
import { t } from '../i18n';
import type { AuditRow, LinkView, PaymentView, Review } from '../types';

interface Mismatch {
  field: string;
  source: 'webhook' | 'record' | 'lookup';
  expected: unknown;
  actual: unknown;
}

const text = (v: unknown): string =>
  v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);

function evidence(review: Review): HTMLElement {
  const fields = new Map<string, Record<string, unknown>>();
  for (const m of review.mismatches as Mismatch[]) {
    const row = fields.get(m.field) ?? {};
    row.record ??= m.expected;
    row[m.source] = m.actual;
    fields.set(m.field, row);
  }
  return h(
    'div',
    { class: 'evidence' },
    h('p', {}, `${review.kind}: ${review.reason}`),
    fields.size
      ? table(
          ['', t('webhook'), t('lookup'), t('ourRecord')],
          [...fields].map(([name, row]) => [
            name,
            text(row.webhook),
            text(row.lookup),
            text(row.record),
          ]),
        )
      : null,
  );
}

function resolveForm(orderId: string, refresh: () => void): HTMLElement {
  const decision = h(
    'select',
    { name: 'decision' },
    h('option', { value: 'lookup' }, t('decLookup')),
    h('option', { value: 'accept_paid' }, t('decAccept')),
    h('option', { value: 'mark_failed' }, t('decFail')),
  );
  const reason = h('textarea', { name: 'reason', required: true, rows: 2 });
  const message = h('p', { role: 'status' });
  const form = h(
    'form',
    { class: 'resolve' },
    field(t('decision'), decision),
    field(t('reason'), reason),
    h('button', { type: 'submit' }, t('apply')),
    message,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void ok(
      api.POST('/api/payments/{orderId}/resolve', {
        params: { path: { orderId } },
        body: { decision: decision.value as 'lookup', reason: reason.value },
      }),
    ).then(
      () => refresh(),
      (err: Error) => (message.textContent = err.message),
    );
  });
  return form;
}

function timelineItem(entry: AuditRow): HTMLElement {
  const d = entry.data;
  const url =
    typeof d.externalUrl === 'string' && /^https?:\/\//.test(d.externalUrl) ? d.externalUrl : null;
  const error = d.error ?? d.lastError ?? d.reason;
  return h(
    'li',
    { class: `ev k-${entry.kind.replace(/\W/g, '-')}` },
    h('time', {}, time(entry.at)),
    h('strong', {}, entry.kind),
    h('span', { class: 'muted' }, ` ${t('actor')}: ${entry.actor}`),
    url
      ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, t('openInCrm'))
      : null,
    error ? h('span', { class: 'error' }, ` ${text(error)}`) : null,
    h('details', {}, h('summary', {}, '…'), h('pre', {}, JSON.stringify(d, null, 2))),
  );
}

export async function orderScreen(orderId: string): Promise<HTMLElement> {
  const root = h('div', {});
  const load = async () => {
    const [order, audit, links] = await Promise.all([
      ok<PaymentView>(api.GET('/api/payments/{orderId}', { params: { path: { orderId } } })),
      ok<AuditRow[]>(api.GET('/api/payments/{orderId}/audit', { params: { path: { orderId } } })),
      ok<LinkView[]>(api.GET('/api/payment-links', { params: { query: { orderId } } })),
    ]);
    const open = order.reviews.filter((r) => !r.resolvedAt);
    const parts: Array<HTMLElement | null> = [
      h('h1', {}, `${t('orderId')} ${order.orderId}`),
      h(
        'section',
        { class: 'card' },
        h(
          'p',
          { class: 'big' },
          money(order.amountMinor, order.currency),
          ' ',
          h('span', { class: `badge s-${order.status}` }, order.status),
        ),
        h(
          'p',
          {},
          `${t('phone')}: ${order.customer.phone ?? '—'} · ${t('created')}: ${time(order.createdAt)}`,
        ),
      ),
      open.length
        ? h(
            'section',
            { class: 'card review', 'aria-labelledby': 'rv' },
            h('h2', { id: 'rv' }, t('reviews')),
            open.map(evidence),
            resolveForm(orderId, () => void load()),
          )
        : null,
      h(
        'section',
        { class: 'card' },
        h('h2', {}, t('attempts')),
        table(
          ['#', 'provider', t('status'), t('amount'), t('updated')],
          order.attempts.map((a) => [
            a.attemptNo,
            `${a.provider} ${a.providerPaymentId ?? ''}`,
            a.status,
            money(a.amountMinor, a.currency),
            time(a.statusChangedAt),
          ]),
        ),
      ),
      links.length
        ? h(
            'section',
            { class: 'card' },
            h('h2', {}, t('links')),
            table(
              [t('link'), t('status'), t('expires')],
              links.map((l) => [
                l.url
                  ? h('a', { href: l.url, rel: 'noopener noreferrer', target: '_blank' }, l.url)
                  : '—',
                l.status,
                time(l.expiresAt),
              ]),
            ),
          )
        : null,
      h(
        'section',
        { class: 'card' },
        h('h2', {}, t('deliveries')),
        table(
          [t('connection'), t('status'), t('openInCrm'), t('error')],
          order.deliveries.map((d) => [
            d.connectionId.slice(0, 8),
            h('span', { class: `badge s-${d.status}` }, d.status),
            d.externalUrl && /^https?:\/\//.test(d.externalUrl)
              ? h(
                  'a',
                  {
                    href: d.externalUrl,
                    target: '_blank',
                    rel: 'noopener noreferrer',
                    class: 'crm-link',
                  },
                  d.externalId ?? t('openInCrm'),
                )
              : (d.externalId ?? '—'),
            d.lastError ?? '',
          ]),
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, t('timeline')),
        h('ol', { class: 'timeline' }, audit.map(timelineItem)),
      ),
    ];
    root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  };
  await load();
  return root;
}
