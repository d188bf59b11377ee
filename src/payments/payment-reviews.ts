import type { EntityManager } from 'typeorm';
import type { Mismatch } from './payment-event';

// flag: an event did not match a settled payment; mismatch: unverifiable; contradiction: failed, then money.
export type ReviewKind = 'flag' | 'mismatch' | 'contradiction';
export type ReviewResolution = 'auto' | 'lookup' | 'accept_paid' | 'mark_failed';

export interface ReviewView {
  id: string;
  attemptId: string;
  kind: ReviewKind;
  reason: string;
  mismatches: Mismatch[];
  eventId: string | null;
  openedAt: Date;
  resolvedAt: Date | null;
  resolution: ReviewResolution | null;
  resolvedBy: string | null;
  resolutionReason: string | null;
  resolvedEventId: string | null;
}

export interface Resolution {
  resolution: ReviewResolution;
  actor: string;
  reason: string;
}

type Queryable = Pick<EntityManager, 'query'>;

export async function openReviewOf(
  m: Queryable,
  attemptId: string,
): Promise<{ id: string; kind: ReviewKind } | undefined> {
  const [row] = await m.query<{ id: string; kind: ReviewKind }[]>(
    `SELECT id, kind FROM payment_reviews WHERE attempt_id = $1 AND resolved_at IS NULL`,
    [attemptId],
  );
  return row;
}

export async function openReview(
  m: Queryable,
  r: {
    orderId: string;
    attemptId: string;
    kind: ReviewKind;
    reason: string;
    mismatches: Mismatch[];
    eventId: string;
  },
): Promise<string | null> {
  const rows = await m.query<{ id: string }[]>(
    `INSERT INTO payment_reviews (order_id, attempt_id, kind, reason, mismatches, event_id)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6)
     ON CONFLICT (attempt_id) WHERE resolved_at IS NULL DO NOTHING RETURNING id`,
    [r.orderId, r.attemptId, r.kind, r.reason, JSON.stringify(r.mismatches), r.eventId],
  );
  return rows[0]?.id ?? null;
}

export async function closeReviews(
  m: Queryable,
  scope: { attemptId: string } | { orderId: string; kind: 'flag' },
  r: Resolution & { eventId: string | null },
): Promise<string[]> {
  const [where, key] =
    'attemptId' in scope
      ? ['attempt_id = $1', scope.attemptId]
      : [`order_id = $1 AND kind = 'flag'`, scope.orderId];
  const rows = await m.query<{ id: string }[]>(
    `WITH closed AS (
       UPDATE payment_reviews SET resolved_at = now(), resolution = $2, resolved_by = $3,
         resolution_reason = $4, resolved_event_id = $5
       WHERE ${where} AND resolved_at IS NULL RETURNING id
     )
     SELECT id FROM closed`,
    [key, r.resolution, r.actor, r.reason, r.eventId],
  );
  return rows.map((row) => row.id);
}

export function listReviews(m: Queryable, orderId: string): Promise<ReviewView[]> {
  return m.query<ReviewView[]>(
    `SELECT id, attempt_id AS "attemptId", kind, reason, mismatches, event_id AS "eventId",
       opened_at AS "openedAt", resolved_at AS "resolvedAt", resolution,
       resolved_by AS "resolvedBy", resolution_reason AS "resolutionReason",
       resolved_event_id AS "resolvedEventId"
     FROM payment_reviews WHERE order_id = $1 ORDER BY opened_at, id`,
    [orderId],
  );
}
