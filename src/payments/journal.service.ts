import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
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
import { decideTransition, deriveOrderStatus, TransitionDecision } from './payment-state';
import type { PaymentLinkStatus, PaymentStatus } from '../domain/payment-status';
import { closeReviews, openReview, openReviewOf, Resolution, ReviewKind } from './payment-reviews';
import { findMismatches } from './verification-rules';

export interface VerifiedInput {
  /** The stored webhook this comes from; null when a scheduled lookup found it. */
  rawEventId: string | null;
  providerEventId: string | null;
  receivedAt: Date;
  claim: VposWebhookClaim;
  claimedStatus?: MappedStatus;
  /** null when the provider does not know the session at all. */
  lookup: VposSessionView | null;
  verifiedBy: PaymentEventV1['verifiedBy'];
  /** An operator asked for this lookup: audited as theirs; an agreeing lookup clears a flag. */
  operator?: { actor: string; reason: string };
}

export interface LocalChange {
  attemptId: string;
  status: 'expired' | 'cancelled' | 'paid' | 'failed';
  verifiedBy: 'scheduler' | 'operator';
  actor: string;
  reason: string;
  /** An operator's decision on a review: only from manual_review, through the state machine. */
  decision?: 'accept_paid' | 'mark_failed';
}

export type JournalOutcome =
  | { result: 'already_done' }
  | { result: 'unchanged' }
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
  provider_payment_id: string | null;
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

interface Apply {
  order: OrderRow;
  attempt: AttemptRow;
  verified: PaymentStatus;
  decision: TransitionDecision;
  refundedAfter: number;
  mismatches: Mismatch[];
  flags: string[];
  amountMinor: number | null;
  currency: string | null;
  crm: Record<string, string>;
  occurredAt: Date;
  verifiedBy: PaymentEventV1['verifiedBy'];
  providerEventId: string | null;
  claimedStatus: string | null;
  rawEventId: string | null;
  actor: string;
  audits: AuditRecord[];
  /** How a review this move ends was decided; a verified lookup by default. */
  resolution?: Resolution;
}

const LINK_STATUS: Record<PaymentStatus, PaymentLinkStatus> = {
  created: 'active',
  pending: 'active',
  paid: 'paid',
  failed: 'failed',
  cancelled: 'cancelled',
  expired: 'expired',
  refunded: 'refunded',
  partially_refunded: 'paid',
  manual_review: 'manual_review',
};

const num = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));

/**
 * Applies verified facts to the journal in one transaction, serialized per order by a row
 * lock: attempt and order status through the state machine, the normalized event, its
 * deliveries, audit entries, and the raw event marked done. Running it twice changes nothing.
 */
@Injectable()
export class JournalService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly deliveries: DeliveryService,
    @InjectMetric('vposhub_payment_transitions_total')
    private readonly transitions: Counter<string>,
  ) {}

  /** A provider fact: a verified webhook, or a scheduled status lookup. */
  record(input: VerifiedInput): Promise<JournalOutcome> {
    return this.ds.transaction((m) => this.recordIn(m, input));
  }

  /** A fact of our own: a link expired by the scheduler or cancelled by an operator. */
  recordLocal(change: LocalChange): Promise<JournalOutcome> {
    return this.ds.transaction(async (m) => {
      const [ref] = await m.query<{ order_id: string }[]>(
        `SELECT order_id FROM payment_attempts WHERE id = $1`,
        [change.attemptId],
      );
      if (!ref) return { result: 'unchanged' };
      const [order] = await m.query<OrderRow[]>(
        `SELECT * FROM payment_orders WHERE order_id = $1 FOR UPDATE`,
        [ref.order_id],
      );
      const [attempt] = await m.query<AttemptRow[]>(
        `SELECT * FROM payment_attempts WHERE id = $1 FOR UPDATE`,
        [change.attemptId],
      );
      const refunded = Number(attempt.refunded_amount_minor);
      const decision = decideTransition(attempt.status, change.status, {
        orderStatus: order.status,
        operator: change.verifiedBy === 'operator',
      });
      if (decision.action !== 'apply') return { result: 'unchanged' };
      const event = await this.apply(m, {
        order,
        attempt,
        verified: change.status,
        decision,
        refundedAfter: refunded,
        mismatches: [],
        flags: [],
        amountMinor: num(attempt.amount_minor),
        currency: attempt.currency,
        crm: order.crm,
        occurredAt: new Date(),
        verifiedBy: change.verifiedBy,
        providerEventId: null,
        claimedStatus: null,
        rawEventId: null,
        actor: change.actor,
        audits: change.decision
          ? []
          : [
              {
                kind: `link.${change.status}`,
                actor: change.actor,
                data: { reason: change.reason },
              },
            ],
        resolution: change.decision
          ? { resolution: change.decision, actor: change.actor, reason: change.reason }
          : undefined,
      });
      return { result: 'recorded', event };
    });
  }

  private async recordIn(m: EntityManager, input: VerifiedInput): Promise<JournalOutcome> {
    const { claim, lookup } = input;
    if (input.rawEventId) {
      const [raw] = await m.query<{ status: WebhookEventStatus }[]>(
        `SELECT status FROM webhook_events WHERE id = $1 FOR UPDATE`,
        [input.rawEventId],
      );
      if (!raw || !['received', 'failed'].includes(raw.status)) return { result: 'already_done' };
    }

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
      if (input.rawEventId) await this.finishRaw(m, input.rawEventId, 'manual_review');
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
          this.config.links.recoveryAfterSeconds,
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
    const open = await openReviewOf(m, attempt.id);
    const decision = decideTransition(attempt.status, verified, {
      refundedBefore,
      refundedAfter,
      orderStatus: order.status,
      contradiction: open?.kind === 'contradiction',
    });
    const actor = input.operator?.actor ?? 'verifier';
    if (!input.rawEventId) {
      if (input.operator && open?.kind === 'flag' && verified === attempt.status) {
        await this.clearFlag(m, order.order_id, attempt.id, {
          resolution: 'lookup',
          actor,
          reason: input.operator.reason,
        });
        return { result: 'unchanged' };
      }
      // A lookup that finds nothing new (or a question already open) leaves no trace.
      if (decision.action === 'ignore' || (decision.action === 'hold' && open)) {
        return { result: 'unchanged' };
      }
    }

    const flags: string[] = [];
    if (decision.action === 'apply' && decision.flag) flags.push(decision.flag);
    if (unknownStatus) flags.push('unknown_provider_status');
    audits.push({
      kind: 'verification.result',
      actor,
      data: {
        outcome: verified === 'manual_review' ? 'manual_review' : 'verified',
        verifiedBy: input.verifiedBy,
        lookupStatus: lookup?.providerStatus ?? null,
        claimedStatus: claim.status ?? null,
        verifiedStatus: verified,
        mismatches,
        ...(unknownStatus ? { reason: 'unknown provider status' } : {}),
      },
    });
    const event = await this.apply(m, {
      order,
      attempt,
      verified,
      decision,
      refundedAfter: decision.action === 'ignore' ? refundedBefore : refundedAfter,
      mismatches,
      flags,
      amountMinor: lookup?.amountMinor ?? claim.amountMinor ?? null,
      currency: lookup?.currency ?? claim.currency ?? null,
      crm: { ...(lookup?.crm ?? {}), ...order.crm },
      occurredAt: claim.createdAt ?? input.receivedAt,
      verifiedBy: input.verifiedBy,
      providerEventId: input.providerEventId,
      claimedStatus: claim.status ?? null,
      rawEventId: input.rawEventId,
      actor,
      audits,
      resolution: input.operator
        ? { resolution: 'lookup', actor, reason: input.operator.reason }
        : undefined,
    });
    if (input.rawEventId) {
      await this.finishRaw(
        m,
        input.rawEventId,
        verified === 'manual_review' ? 'manual_review' : 'verified',
      );
    }
    // Fill the order's empty facts from the lookup (a link-made order already has them).
    if (lookup) {
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
    return { result: 'recorded', event };
  }

  /** The state machine's decision made durable: attempt, order, event, deliveries, audit. */
  private async apply(m: EntityManager, a: Apply): Promise<PaymentEventV1> {
    const from = a.attempt.status;
    const d = a.decision;
    const moves = d.action === 'apply' || d.action === 'review';
    const to = moves ? d.to : from;
    this.transitions.inc({ from, to: a.verified, action: d.action });
    const opens: ReviewKind | null =
      d.action === 'hold'
        ? 'flag'
        : moves && to === 'manual_review' && from !== 'manual_review'
          ? d.action === 'review'
            ? 'contradiction'
            : 'mismatch'
          : null;
    const flags = d.action === 'hold' ? [...a.flags, 'held_for_review'] : a.flags;
    const refundedBefore = Number(a.attempt.refunded_amount_minor);
    if (to !== from || a.refundedAfter !== refundedBefore) {
      // An unverifiable attempt stays on the recovery schedule: a later lookup may settle it.
      await m.query(
        `UPDATE payment_attempts SET status = $2, refunded_amount_minor = $3,
           status_changed_at = CASE WHEN status <> $2 THEN now() ELSE status_changed_at END,
           next_check_at = CASE WHEN $2 IN ('created','pending') THEN next_check_at
                                WHEN $4 THEN now() + make_interval(secs => $5) END,
           updated_at = now()
         WHERE id = $1`,
        [
          a.attempt.id,
          to,
          a.refundedAfter,
          opens === 'mismatch',
          this.config.links.recoveryAfterSeconds,
        ],
      );
      // The attempt's payment link (if any) shows the same outcome.
      await m.query(
        `UPDATE payment_links SET status = $2, updated_at = now()
         WHERE attempt_id = $1 AND status <> 'creating'`,
        [a.attempt.id, LINK_STATUS[to]],
      );
    }
    const attempts = await m.query<{ attemptNo: number; status: PaymentStatus }[]>(
      `SELECT attempt_no AS "attemptNo", status FROM payment_attempts WHERE order_id = $1`,
      [a.order.order_id],
    );
    const orderStatus = deriveOrderStatus(attempts);
    if (orderStatus !== a.order.status) {
      await m.query(
        `UPDATE payment_orders SET status = $2, updated_at = now() WHERE order_id = $1`,
        [a.order.order_id, orderStatus],
      );
    }

    const event: PaymentEventV1 = {
      schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
      id: randomUUID(),
      provider: 'vpos',
      providerEventId: a.providerEventId,
      providerPaymentId: a.attempt.provider_payment_id,
      orderId: a.order.order_id,
      attemptId: a.attempt.id,
      attemptNo: a.attempt.attempt_no,
      type: a.verified,
      previousStatus: from,
      orderStatus,
      applied: moves,
      amountMinor: a.amountMinor,
      currency: a.currency,
      refundedAmountMinor: a.refundedAfter || null,
      customer: { phone: a.order.customer_phone, id: a.order.customer_id },
      crm: a.crm,
      occurredAt: a.occurredAt.toISOString(),
      verifiedAt: new Date().toISOString(),
      verifiedBy: a.verifiedBy,
      claimedStatus: a.claimedStatus,
      mismatches: a.mismatches,
      flags,
      rawEventId: a.rawEventId,
    };
    await m.query(
      `INSERT INTO payment_events (id, schema_version, order_id, attempt_id, raw_event_id, type,
         previous_status, applied, amount_minor, currency, occurred_at, verified_at, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)`,
      [
        event.id,
        event.schemaVersion,
        event.orderId,
        a.attempt.id,
        a.rawEventId,
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

    const audits = [...a.audits];
    audits.push(
      !moves
        ? {
            kind: d.action === 'hold' ? 'state.held' : 'state.ignored',
            actor: a.actor,
            data: { scope: 'attempt', current: from, proposed: a.verified, reason: d.reason },
          }
        : {
            kind: 'state.transition',
            actor: a.actor,
            data: {
              scope: 'attempt',
              from,
              to,
              cause: a.providerEventId ?? a.verifiedBy,
              deliveries: fanOut,
              ...(d.action === 'review' ? { reason: d.reason } : {}),
              ...(flags.length ? { flags } : {}),
            },
          },
    );
    if (opens) {
      const reason =
        d.action === 'apply'
          ? a.mismatches.map((x) => `${x.field} (${x.source})`).join(', ') || 'unverified status'
          : d.reason;
      const reviewId = await openReview(m, {
        orderId: a.order.order_id,
        attemptId: a.attempt.id,
        kind: opens,
        reason,
        mismatches: a.mismatches,
        eventId: event.id,
      });
      audits.push({
        kind: reviewId ? 'review.opened' : 'review.noted',
        actor: a.actor,
        data: { reviewId, kind: opens, reason, status: to, mismatches: a.mismatches },
      });
    }
    if (moves && from === 'manual_review') {
      const resolution = a.resolution ?? {
        resolution: 'auto',
        actor: a.actor,
        reason: 'a verified status lookup agrees with our record',
      };
      const ids = await closeReviews(
        m,
        { attemptId: a.attempt.id },
        { ...resolution, eventId: event.id },
      );
      audits.push({
        kind: 'review.resolved',
        actor: resolution.actor,
        data: {
          reviewIds: ids,
          decision: resolution.resolution,
          reason: resolution.reason,
          status: to,
        },
      });
    }
    if (orderStatus !== a.order.status) {
      audits.push({
        kind: 'state.transition',
        actor: a.actor,
        data: {
          scope: 'order',
          from: a.order.status,
          to: orderStatus,
          cause: a.providerEventId ?? a.verifiedBy,
        },
      });
    }
    const ctx = {
      orderId: a.order.order_id,
      attemptId: a.attempt.id,
      eventId: event.id,
      rawEventId: a.rawEventId,
    };
    await this.audit.record(
      audits.map((r) => ({ ...ctx, ...r })),
      m,
    );
    return event;
  }

  /** The operator accepted a settled order's flags, or a lookup they asked for agreed. */
  async clearFlags(orderId: string, r: Resolution): Promise<string[]> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT 1 FROM payment_orders WHERE order_id = $1 FOR UPDATE`, [orderId]);
      return this.clearFlag(m, orderId, null, r);
    });
  }

  private async clearFlag(
    m: EntityManager,
    orderId: string,
    attemptId: string | null,
    r: Resolution,
  ): Promise<string[]> {
    const ids = await closeReviews(m, attemptId ? { attemptId } : { orderId, kind: 'flag' }, {
      ...r,
      eventId: null,
    });
    if (ids.length) {
      await this.audit.record(
        {
          kind: 'review.resolved',
          actor: r.actor,
          orderId,
          attemptId,
          data: { reviewIds: ids, decision: r.resolution, reason: r.reason, kind: 'flag' },
        },
        m,
      );
    }
    return ids;
  }

  private async finishRaw(m: EntityManager, id: string, status: WebhookEventStatus): Promise<void> {
    await m.query(
      `UPDATE webhook_events SET status = $2, processed_at = now(), last_error = NULL,
         verify_attempts = verify_attempts + 1 WHERE id = $1`,
      [id, status],
    );
  }
}
