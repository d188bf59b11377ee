import type { DataSource } from 'typeorm';

/** Small read helpers so tests assert on what the journal actually holds. */
export function journal(ds: DataSource) {
  return {
    rawEvents: (providerEventId?: string) =>
      ds.query<Array<{ id: string; status: string; provider_event_id: string }>>(
        `SELECT * FROM webhook_events ${providerEventId ? 'WHERE provider_event_id = $1' : ''} ORDER BY received_at`,
        providerEventId ? [providerEventId] : [],
      ),
    events: (orderId: string) =>
      ds.query<Array<{ type: string; applied: boolean; payload: Record<string, unknown> }>>(
        `SELECT * FROM payment_events WHERE order_id = $1 ORDER BY verified_at`,
        [orderId],
      ),
    audit: (orderId: string) =>
      ds.query<Array<{ kind: string; data: Record<string, unknown> }>>(
        `SELECT * FROM audit_log WHERE order_id = $1 ORDER BY id`,
        [orderId],
      ),
    rejected: () =>
      ds.query<Array<{ data: Record<string, unknown> }>>(
        `SELECT * FROM audit_log WHERE kind = 'webhook.rejected' ORDER BY id`,
      ),
    count: async (table: string) =>
      Number((await ds.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n),
    unprocessed: async () =>
      Number(
        (
          await ds.query(`SELECT count(*)::int AS n FROM webhook_events WHERE status = 'received'`)
        )[0].n,
      ),
  };
}
