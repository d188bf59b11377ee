import type { EntityManager } from 'typeorm';
import type { AuditRecord } from '../audit/audit.service';
import type { VposWebhookClaim } from '../providers/vpos/vpos-event';
import type { VposSessionView } from '../providers/vpos/vpos.client';
import type { WebhookEventStatus } from '../webhooks/webhook-event.entity';
import type { AttemptRow, OrderRow } from './payment-event.builder';

export async function claimRaw(m: EntityManager, rawEventId: string): Promise<boolean> {
  const [raw] = await m.query<{ status: WebhookEventStatus }[]>(
    `SELECT status FROM webhook_events WHERE id = $1 FOR UPDATE`,
    [rawEventId],
  );
  return !!raw && ['received', 'failed'].includes(raw.status);
}

export async function finishRaw(
  m: EntityManager,
  id: string,
  status: WebhookEventStatus,
): Promise<void> {
  await m.query(
    `UPDATE webhook_events SET status = $2, processed_at = now(), last_error = NULL,
       verify_attempts = verify_attempts + 1 WHERE id = $1`,
    [id, status],
  );
}

export async function attemptBySession(
  m: EntityManager,
  sessionId: string | null,
): Promise<AttemptRow | undefined> {
  const [known] = await m.query<AttemptRow[]>(
    `SELECT * FROM payment_attempts WHERE provider = 'vpos' AND provider_payment_id = $1`,
    [sessionId],
  );
  return known;
}

export async function ensureOrder(
  m: EntityManager,
  orderId: string,
  lookup: VposSessionView | null,
): Promise<void> {
  await m.query(
    `INSERT INTO payment_orders (order_id, status, amount_minor, currency, customer_phone,
         customer_id, crm)
       VALUES ($1, 'created', $2, $3, $4, $5, $6::jsonb) ON CONFLICT (order_id) DO NOTHING`,
    [
      orderId,
      lookup?.amountMinor ?? null,
      lookup?.currency ?? null,
      lookup?.customerPhone ?? null,
      lookup?.customerId ?? null,
      JSON.stringify(lookup?.crm ?? {}),
    ],
  );
}

/** One fact per order at a time. */
export async function lockOrder(m: EntityManager, orderId: string): Promise<OrderRow> {
  const [order] = await m.query<OrderRow[]>(
    `SELECT * FROM payment_orders WHERE order_id = $1 FOR UPDATE`,
    [orderId],
  );
  return order;
}

export async function lockAttempt(m: EntityManager, id: string): Promise<AttemptRow> {
  const [attempt] = await m.query<AttemptRow[]>(
    `SELECT * FROM payment_attempts WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return attempt;
}

/** A session we never opened (made outside a link) becomes the order's next attempt. */
export async function insertAttempt(
  m: EntityManager,
  orderId: string,
  sessionId: string | null,
  claim: VposWebhookClaim,
  lookup: VposSessionView | null,
  recoveryAfterSeconds: number,
): Promise<{ attempt: AttemptRow; audit: AuditRecord }> {
  const [attempt] = await m.query<AttemptRow[]>(
    `INSERT INTO payment_attempts (order_id, attempt_no, provider, provider_payment_id, status,
       amount_minor, currency, next_check_at)
     SELECT $1, coalesce(max(attempt_no), 0) + 1, 'vpos', $2, 'created', $3, $4,
            now() + make_interval(secs => $5)
     FROM payment_attempts WHERE order_id = $1
     RETURNING *`,
    [
      orderId,
      sessionId,
      lookup?.amountMinor ?? claim.amountMinor ?? null,
      lookup?.currency ?? claim.currency ?? null,
      recoveryAfterSeconds,
    ],
  );
  return {
    attempt,
    audit: {
      kind: 'attempt.created',
      actor: 'verifier',
      attemptId: attempt.id,
      data: { attemptNo: attempt.attempt_no, providerPaymentId: sessionId },
    },
  };
}

export async function fillOrderFacts(
  m: EntityManager,
  order: OrderRow,
  lookup: VposSessionView,
): Promise<void> {
  await m.query(
    `UPDATE payment_orders SET amount_minor = coalesce(amount_minor, $2),
       currency = coalesce(currency, $3), customer_phone = coalesce(customer_phone, $4),
       customer_id = coalesce(customer_id, $5), crm = $6::jsonb
     WHERE order_id = $1`,
    [
      order.order_id,
      lookup.amountMinor ?? null,
      lookup.currency ?? null,
      lookup.customerPhone ?? null,
      lookup.customerId ?? null,
      JSON.stringify({ ...(lookup.crm ?? {}), ...order.crm }),
    ],
  );
}
