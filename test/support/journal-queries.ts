import type { DataSource } from 'typeorm';

/** Small read helpers so tests assert on what the journal actually holds. */
export function journal(ds: DataSource) {
  return {
    rawEvents: (providerEventId?: string) =>
      ds.query(
        `SELECT * FROM webhook_events ${providerEventId ? 'WHERE provider_event_id = $1' : ''} ORDER BY received_at`,
        providerEventId ? [providerEventId] : [],
      ) as Promise<Array<{ id: string; status: string; provider_event_id: string }>>,
    events: (orderId: string) =>
      ds.query(`SELECT * FROM payment_events WHERE order_id = $1 ORDER BY verified_at`, [
        orderId,
      ]) as Promise<Array<{ type: string; applied: boolean; payload: Record<string, unknown> }>>,
    audit: (orderId: string) =>
      ds.query(`SELECT * FROM audit_log WHERE order_id = $1 ORDER BY id`, [orderId]) as Promise<
        Array<{ kind: string; data: Record<string, unknown> }>
      >,
    rejected: () =>
      ds.query(`SELECT * FROM audit_log WHERE kind = 'webhook.rejected' ORDER BY id`) as Promise<
        Array<{ data: Record<string, unknown> }>
      >,
    count: async (table: string) =>
      Number((await ds.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n),
    unprocessed: async () =>
      Number(
        (await ds.query(`SELECT count(*)::int AS n FROM webhook_events WHERE status = 'received'`))[0]
          .n,
      ),
  };
}
