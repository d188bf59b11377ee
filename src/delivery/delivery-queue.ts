import type { EntityManager } from 'typeorm';
import { JOBS, jobIdSql, QUEUES } from '../queue/queues';

// A bumped enqueue_seq gives every re-enqueue a new job id, so none is deduped away.
export async function enqueueDeliveries(
  m: EntityManager,
  ids: string[],
  availableAt: Date | null = null,
): Promise<void> {
  if (ids.length === 0) return;
  await m.query(
    `WITH bumped AS (
       UPDATE deliveries SET enqueue_seq = enqueue_seq + 1 WHERE id = ANY($1::uuid[])
       RETURNING id, enqueue_seq, next_attempt_at
     )
     INSERT INTO outbox (queue, job_name, job_id, payload, available_at)
     SELECT $2, $3, ${jobIdSql.delivery('id', 'enqueue_seq')}, jsonb_build_object('deliveryId', id),
            greatest(coalesce($4::timestamptz, now()), next_attempt_at)
     FROM bumped`,
    [ids, QUEUES.deliveries, JOBS.deliver, availableAt],
  );
}

export async function unparkDeliveries(m: EntityManager, connectionId: string): Promise<number> {
  await m.query(
    `UPDATE deliveries SET status = 'pending', next_attempt_at = now(), updated_at = now()
     WHERE connection_id = $1 AND status = 'parked'`,
    [connectionId],
  );
  const open = await m.query<{ id: string }[]>(
    `SELECT id FROM deliveries WHERE connection_id = $1 AND status IN ('pending','retry_scheduled')`,
    [connectionId],
  );
  await enqueueDeliveries(
    m,
    open.map((r) => r.id),
  );
  return open.length;
}
