import type { EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';

export async function markNeedsReconnect(
  m: EntityManager,
  audit: AuditService,
  id: string,
  reason: string,
): Promise<boolean> {
  const changed = await m.query<{ id: string }[]>(
    `WITH changed AS (
       UPDATE connections SET status = 'needs_reconnect', status_reason = $2, updated_at = now()
       WHERE id = $1 AND status = 'active' RETURNING id
     )
     SELECT id FROM changed`,
    [id, reason.slice(0, 500)],
  );
  if (changed.length === 0) return false;
  await audit.record(
    { kind: 'connection.needs_reconnect', actor: 'delivery', data: { connectionId: id, reason } },
    m,
  );
  return true;
}
