import { api, ok } from '../client';
import { field, h, table } from '../dom';
import { money, time, toMinor } from '../format';
import { t } from '../i18n';
import { navLink } from '../nav';
import type { PaymentRow } from '../types';

const STATUSES = [
  'created',
  'pending',
  'paid',
  'failed',
  'cancelled',
  'expired',
  'refunded',
  'partially_refunded',
  'manual_review',
];

export async function paymentsScreen(): Promise<HTMLElement> {
  const params = new URLSearchParams(location.search);
  const input = (name: string, type = 'text') =>
    h('input', { name, type, value: params.get(name) ?? '' });
  const orderId = input('orderId');
  const phone = input('phone', 'tel');
  const status = h(
    'select',
    { name: 'status' },
    h('option', { value: '' }, t('any')),
    STATUSES.map((s) => h('option', { value: s, selected: params.get('status') === s }, s)),
  );
  const from = input('from', 'date');
  const to = input('to', 'date');
  const amountMin = input('amountMin');
  const amountMax = input('amountMax');
  const results = h('div', { 'aria-live': 'polite' });

  const load = async () => {
    const query: Record<string, string | number> = {};
    if (orderId.value) query.orderId = orderId.value.trim();
    if (phone.value) query.phone = phone.value.trim();
    if (status.value) query.status = status.value;
    if (from.value) query.from = from.value;
    if (to.value) query.to = new Date(Date.parse(to.value) + 86_400_000).toISOString().slice(0, 10);
    const min = toMinor(amountMin.value);
    const max = toMinor(amountMax.value);
    if (min !== undefined) query.amountMin = min;
    if (max !== undefined) query.amountMax = max;
    const page = await ok<{ items: PaymentRow[]; total: number }>(
      api.GET('/api/payments', { params: { query } }),
    );
    results.replaceChildren(
      page.items.length
        ? table(
            [t('orderId'), t('status'), t('amount'), t('phone'), t('created')],
            page.items.map((p) => [
              navLink(`/payments/${encodeURIComponent(p.orderId)}`, p.orderId),
              h('span', { class: `badge s-${p.status}` }, p.inReview ? `${p.status} ⚑` : p.status),
              money(p.amountMinor, p.currency),
              p.customerPhone ?? '—',
              time(p.createdAt),
            ]),
          )
        : h('p', {}, t('noResults')),
      h('p', { class: 'muted' }, `${page.items.length} / ${page.total}`),
    );
  };
  const form = h(
    'form',
    { class: 'card filters', role: 'search' },
    field(t('orderId'), orderId),
    field(t('phone'), phone),
    field(t('status'), status),
    field(t('from'), from),
    field(t('to'), to),
    field(t('amountMin'), amountMin),
    field(t('amountMax'), amountMax),
    h('button', { type: 'submit' }, t('search')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load().catch((err: Error) =>
      results.replaceChildren(h('p', { role: 'alert' }, err.message)),
    );
  });
  await load();
  return h('div', {}, h('h1', {}, t('payments')), form, results);
}
