import { api, ok } from '../client';
import { h } from '../dom';
import { money, time } from '../format';
import { t } from '../i18n';
import { navLink } from '../nav';
import type { ConnectionView, DeliveryRow, Stats, Totals } from '../types';

function totals(title: string, x: Totals): HTMLElement {
  const sums = Object.entries(x.sums);
  return h(
    'section',
    { class: 'card stat' },
    h('h2', {}, title),
    h(
      'p',
      { class: 'big' },
      sums.length ? sums.map(([c, v]) => money(v, c)).join(' · ') : money(0, 'AMD'),
    ),
    h('p', { class: 'muted' }, `${t('paidCount')}: ${x.count}`),
  );
}

export async function homeScreen(): Promise<HTMLElement> {
  const [stats, dead, parked, connections] = await Promise.all([
    ok<Stats>(api.GET('/api/payment-stats')),
    ok<DeliveryRow[]>(api.GET('/api/deliveries', { params: { query: { status: 'dead' } } })),
    ok<DeliveryRow[]>(api.GET('/api/deliveries', { params: { query: { status: 'parked' } } })),
    ok<ConnectionView[]>(api.GET('/api/connections')),
  ]);
  const broken = connections.filter((c) => c.status === 'needs_reconnect');
  const todo: HTMLElement[] = [
    ...stats.reviews.map((r) =>
      h(
        'li',
        {},
        navLink(`/payments/${encodeURIComponent(r.orderId)}`, `${t('reviewOrder')} ${r.orderId}`),
        ` — ${r.reason} (${time(r.openedAt)})`,
      ),
    ),
    ...[...dead, ...parked].map((d) =>
      h(
        'li',
        {},
        navLink('/deliveries', `${t('deadDeliveries')}: ${d.status}`),
        ` — ${d.lastError ?? d.lastErrorCode ?? ''}`,
      ),
    ),
    ...broken.map((c) =>
      h(
        'li',
        { class: 'warn' },
        navLink('/connections', `${t('reconnect')}: ${c.displayName}`),
        ` — ${c.statusReason ?? ''}`,
      ),
    ),
  ];
  return h(
    'div',
    {},
    h('h1', {}, t('home')),
    h(
      'div',
      { class: 'grid' },
      totals(t('today'), stats.today),
      totals(t('thisMonth'), stats.month),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, t('deliveriesByState')),
      h(
        'ul',
        { class: 'chips' },
        Object.entries(stats.deliveries).map(([s, n]) =>
          h('li', { class: `chip s-${s}` }, `${s}: ${n}`),
        ),
      ),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'todo' },
      h('h2', { id: 'todo' }, t('needsPerson')),
      todo.length ? h('ul', { class: 'todo' }, todo) : h('p', {}, t('nothingToDo')),
    ),
  );
}
