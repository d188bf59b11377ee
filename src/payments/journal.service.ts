import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRecord, AuditService } from '../audit/audit.service';
import { DeliveryService } from '../delivery/delivery.service';
import type { VposWebhookClaim } from '../providers/vpos/vpos-event';
import type { MappedStatus } from '../providers/vpos/vpos-status';
import type { VposSessionView } from '../providers/vpos/vpos.client';
import type { WebhookEventStatus } from '../webhooks/webhook-event.entity';
import { Mismatch, PAYMENT_EVENT_SCHEMA_VERSION, PaymentEventV1 } from './payment-event';
import { decideTransition, deriveOrderStatus } from './payment-state';
import type { PaymentStatus } from './payment-status';
import { findMismatches } from './verification-rules';

export interface VerifiedInput {
  rawEventId: string;
  providerEventId: string;
  receivedAt: Date;
  claim: VposWebhookClaim;
  claimedStatus?: MappedStatus;
  /** null when the provider does not know the session at all. */
  lookup: VposSessionView | null;
}

export type JournalOutcome =
  | { result: 'already_done' }
  | { result: 'no_order'; mismatches: Mismatch[] }
  | { result: 'recorded'; event: PaymentEventV1 };

interface AttemptRow {
  id: string;
  order_id: string;
  attempt_no: number;
  status: PaymentStatus;
  amount_minor: string | null;
  currency: string | null;
  refunded_amount_minor: string;
}

interface OrderRow {
  order_id: string;
  status: PaymentStatus;
  amount_minor: string | null;
  currency: string | null;
  customer_phone: string | null;
  customer_id: string | null;
  crm: Record<string, string>;
}

const num = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));

/**
 * Applies one verified webhook to the journal in a single transaction, serialized per order
 * by a row lock: attempt and order status through the state machine, the normalized event,
 * audit entries, and the raw event marked done. Running it twice changes nothing.
 */
@Injectable()
export class JournalService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly deliveries: DeliveryService,
    @InjectMetric('vposhub_payment_transitions_total')
    private readonly transitions: Counter<string>,
  ) {}

  record(input: VerifiedInput): Promise<JournalOutcome> {
    return this.ds.transaction((m) => this.recordIn(m, input));
  }

  private async recordIn(m: EntityManager, input: VerifiedInput): Promise<JournalOutcome> {
    const { claim, lookup } = input;
    const [raw] = await m.query<{ status: WebhookEventStatus }[]>(
      `SELECT status FROM webhook_events WHERE id = $1 FOR UPDATE`,
      [input.rawEventId],
    );
    if (!raw || !['received', 'failed'].includes(raw.status)) return { result: 'already_done' };

    const sessionId = lookup?.sessionId ?? claim.sessionId ?? null;
    const [known] = await m.query<AttemptRow[]>(
      `SELECT * FROM payment_attempts WHERE provider = 'vpos' AND provider_payment_id = $1`,
      [sessionId],
    );
    // Our own record says which order a known session belongs to.
    const orderId = known?.order_id ?? lookup?.orderId ?? claim.orderId;

    const mismatches: Mismatch[] = lookup
      ? []
      : [{ field: 'session', source: 'lookup', expected: sessionId, actual: null }];
    if (!orderId) {
      if (lookup) mismatches.push(...findMismatches(claim, input.claimedStatus, lookup, undefined));
      await this.finishRaw(m, input.rawEventId, 'manual_review');
      await this.audit.record(
        {
          kind: 'verification.result',
          actor: 'verifier',
          rawEventId: input.rawEventId,
          data: { outcome: 'manual_review', reason: 'no usable order id', sessionId, mismatches },
        },
        m,
      );
      return { result: 'no_order', mismatches };
    }

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
    const [order] = await m.query<OrderRow[]>(
      `SELECT * FROM payment_orders WHERE order_id = $1 FOR UPDATE`,
      [orderId],
    );

    if (lookup) {
      const record = known
        ? {
            orderId: known.order_id,
            amountMinor: num(known.amount_minor),
            currency: known.currency,
          }
        : { amountMinor: num(order.amount_minor), currency: order.currency };
      mismatches.push(...findMismatches(claim, input.claimedStatus, lookup, record));
    }

    const audits: AuditRecord[] = [];
    let attempt = known;
    if (!attempt) {
      [attempt] = await m.query<AttemptRow[]>(
        `INSERT INTO payment_attempts (order_id, attempt_no, provider, provider_payment_id, status,
           amount_minor, currency)
         SELECT $1, coalesce(max(attempt_no), 0) + 1, 'vpos', $2, 'created', $3, $4
         FROM payment_attempts WHERE order_id = $1
         RETURNING *`,
        [
          orderId,
          sessionId,
          lookup?.amountMinor ?? claim.amountMinor ?? null,
          lookup?.currency ?? claim.currency ?? null,
        ],
      );
      audits.push({
        kind: 'attempt.created',
        actor: 'verifier',
        attemptId: attempt.id,
        data: { attemptNo: attempt.attempt_no, providerPaymentId: sessionId },
      });
    } else {
      [attempt] = await m.query<AttemptRow[]>(
        `SELECT * FROM payment_attempts WHERE id = $1 FOR UPDATE`,
        [attempt.id],
      );
    }

    const unknownStatus = lookup !== null && !lookup.status.known;
    const verified: PaymentStatus =
      mismatches.length > 0 || unknownStatus || !lookup ? 'manual_review' : lookup.status.status;
    const refundedBefore = Number(attempt.refunded_amount_minor);
    const refundedAfter = lookup?.refundedAmountMinor ?? refundedBefore;
    const decision = decideTransition(attempt.status, verified, { refundedBefore, refundedAfter });
    const from = attempt.status;
    const to = decision.action === 'ignore' ? from : decision.to;
    this.transitions.inc({ from, to: verified, action: decision.action });

    if (to !== from || refundedAfter !== refundedBefore) {
      await m.query(
        `UPDATE payment_attempts SET status = $2, refunded_amount_minor = $3,
           status_changed_at = CASE WHEN status <> $2 THEN now() ELSE status_changed_at END,
           updated_at = now()
         WHERE id = $1`,
        [attempt.id, to, decision.action === 'ignore' ? refundedBefore : refundedAfter],
      );
    }
    const attempts = await m.query<{ attemptNo: number; status: PaymentStatus }[]>(
      `SELECT attempt_no AS "attemptNo", status FROM payment_attempts WHERE order_id = $1`,
      [orderId],
    );
    const orderStatus = deriveOrderStatus(attempts);
    const crm = { ...(lookup?.crm ?? {}), ...order.crm };
    await m.query(
      `UPDATE payment_orders SET status = $2, updated_at = now(),
         amount_minor = coalesce(amount_minor, $3), currency = coalesce(currency, $4),
         customer_phone = coalesce(customer_phone, $5), customer_id = coalesce(customer_id, $6),
         crm = $7::jsonb
       WHERE order_id = $1`,
      [
        orderId,
        orderStatus,
        lookup?.amountMinor ?? null,
        lookup?.currency ?? null,
        lookup?.customerPhone ?? null,
        lookup?.customerId ?? null,
        JSON.stringify(crm),
      ],
    );

    const flags: string[] = [];
    if (decision.action === 'apply' && decision.flag) flags.push(decision.flag);
    if (unknownStatus) flags.push('unknown_provider_status');
    const now = new Date();
    const event: PaymentEventV1 = {
      schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
      id: randomUUID(),
      provider: 'vpos',
      providerEventId: input.providerEventId,
      providerPaymentId: sessionId,
      orderId,
      attemptId: attempt.id,
      attemptNo: attempt.attempt_no,
      type: verified,
      previousStatus: from,
      orderStatus,
      applied: decision.action !== 'ignore',
      amountMinor: lookup?.amountMinor ?? claim.amountMinor ?? null,
      currency: lookup?.currency ?? claim.currency ?? null,
      refundedAmountMinor: lookup?.refundedAmountMinor ?? null,
      customer: {
        phone: order.customer_phone ?? lookup?.customerPhone ?? null,
        id: order.customer_id ?? lookup?.customerId ?? null,
      },
      crm,
      occurredAt: (claim.createdAt ?? input.receivedAt).toISOString(),
      verifiedAt: now.toISOString(),
      verifiedBy: 'status_lookup',
      claimedStatus: claim.status ?? null,
      mismatches,
      flags,
      rawEventId: input.rawEventId,
    };
    await m.query(
      `INSERT INTO payment_events (id, schema_version, order_id, attempt_id, raw_event_id, type,
         previous_status, applied, amount_minor, currency, occurred_at, verified_at, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)`,
      [
        event.id,
        event.schemaVersion,
        orderId,
        attempt.id,
        input.rawEventId,
        event.type,
        from,
        event.applied,
        event.amountMinor,
        event.currency,
        event.occurredAt,
        event.verifiedAt,
        JSON.stringify(event),
      ],
    );

    // Fan-out rows are born in the same transaction that makes the event verified.
    const fanOut = event.applied ? await this.deliveries.createForEvent(m, event) : 0;
    const ctx = { orderId, attemptId: attempt.id, eventId: event.id, rawEventId: input.rawEventId };
    audits.push({
      kind: 'verification.result',
      actor: 'verifier',
      data: {
        outcome: verified === 'manual_review' ? 'manual_review' : 'verified',
        lookupStatus: lookup?.providerStatus ?? null,
        claimedStatus: claim.status ?? null,
        verifiedStatus: verified,
        mismatches,
        deliveries: fanOut,
        ...(unknownStatus ? { reason: 'unknown provider status' } : {}),
      },
    });
    audits.push(
      decision.action === 'ignore'
        ? {
            kind: 'state.ignored',
            actor: 'verifier',
            data: { scope: 'attempt', current: from, proposed: verified, reason: decision.reason },
          }
        : {
            kind: 'state.transition',
            actor: 'verifier',
            data: {
              scope: 'attempt',
              from,
              to,
              cause: input.providerEventId,
              ...(decision.action === 'review' ? { reason: decision.reason } : {}),
              ...(flags.length ? { flags } : {}),
            },
          },
    );
    if (orderStatus !== order.status) {
      audits.push({
        kind: 'state.transition',
        actor: 'verifier',
        data: { scope: 'order', from: order.status, to: orderStatus, cause: input.providerEventId },
      });
    }
    await this.audit.record(
      audits.map((a) => ({ ...ctx, ...a })),
      m,
    );
    await this.finishRaw(
      m,
      input.rawEventId,
      verified === 'manual_review' ? 'manual_review' : 'verified',
    );
    return { result: 'recorded', event };
  }

  private async finishRaw(m: EntityManager, id: string, status: WebhookEventStatus): Promise<void> {
    await m.query(
      `UPDATE webhook_events SET status = $2, processed_at = now(), last_error = NULL,
         verify_attempts = verify_attempts + 1 WHERE id = $1`,
      [id, status],
    );
  }
}
