import { api, ok } from '../client';
import { h, table } from '../dom';
import { time } from '../format';
import { t } from '../i18n';
import { navLink } from '../nav';
import type { ConnectionView, DeliveryRow } from '../types';

export async function deliveriesScreen(): Promise<HTMLElement> {
  const root = h('div', {});
  const load = async () => {
    const [dead, parked, connections] = await Promise.all([
      ok<DeliveryRow[]>(api.GET('/api/deliveries', { params: { query: { status: 'dead' } } })),
      ok<DeliveryRow[]>(api.GET('/api/deliveries', { params: { query: { status: 'parked' } } })),
      ok<ConnectionView[]>(api.GET('/api/connections')),
    ]);
    const names = new Map(connections.map((c) => [c.id, c.displayName]));
    const rows = [...dead, ...parked];
    const message = h('p', { role: 'status' });
    const replay = (id: string) => {
      void ok(api.POST('/api/deliveries/{id}/replay', { params: { path: { id } } })).then(
        () => load(),
        (err: Error) => (message.textContent = err.message),
      );
    };
    const byConnection = new Map<string, DeliveryRow[]>();
    for (const d of rows)
      byConnection.set(d.connectionId, [...(byConnection.get(d.connectionId) ?? []), d]);
    root.replaceChildren(
      h('h1', {}, t('deliveries')),
      message,
      rows.length
        ? table(
            [t('orderId'), t('connection'), t('status'), t('error'), t('updated'), ''],
            rows.map((d) => {
              const b = h('button', { type: 'button', class: 'small' }, t('replay'));
              b.addEventListener('click', () => replay(d.id));
              return [
                d.orderId ? navLink(`/payments/${encodeURIComponent(d.orderId)}`, d.orderId) : '—',
                names.get(d.connectionId) ?? d.connectionId,
                h('span', { class: `badge s-${d.status}` }, d.status),
                [d.lastErrorKind, d.lastErrorCode, d.lastError].filter(Boolean).join(' · '),
                time(d.updatedAt ?? null),
                b,
              ];
            }),
          )
        : h('p', {}, t('nothingToDo')),
      ...[...byConnection].map(([id, list]) => {
        const b = h(
          'button',
          { type: 'button' },
          `${t('replayAll')}: ${names.get(id) ?? id} (${list.length})`,
        );
        b.addEventListener('click', () => {
          void Promise.all(
            list.map((d) =>
              ok(api.POST('/api/deliveries/{id}/replay', { params: { path: { id: d.id } } })),
            ),
          ).then(
            () => load(),
            (err: Error) => (message.textContent = err.message),
          );
        });
        return h('p', {}, b);
      }),
    );
  };
  await load();
  return root;
}
