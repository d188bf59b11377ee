import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRecord, AuditService } from '../audit/audit.service';
import { DeliveryService } from '../delivery/delivery.service';
import { clearFlagReviews, reviewStep } from './journal-reviews';
import {
  attemptBySession,
  claimRaw,
  ensureOrder,
  fillOrderFacts,
  finishRaw,
  insertAttempt,
  lockAttempt,
  lockOrder,
} from './journal-rows';
import type { Mismatch, PaymentEventV1 } from './payment-event';
import type { JournalOutcome, LocalChange, VerifiedInput } from './journal.types';
import {
  AttemptRow,
  attemptAudit,
  buildPaymentEvent,
  JournalStep,
  LINK_STATUS,
  localStep,
  num,
  orderAudit,
  stepEffect,
  verifiedStep,
} from './payment-event.builder';
import { decideTransition, deriveOrderStatus } from './payment-state';
import type { PaymentStatus } from '../domain/payment-status';
import { openReviewOf, Resolution } from './payment-reviews';
import { findMismatches } from './verification-rules';

// One transaction per fact, serialized per order by a row lock; running it twice changes nothing.
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

  record(input: VerifiedInput): Promise<JournalOutcome> {
    return this.ds.transaction((m) => this.recordIn(m, input));
  }

  recordLocal(change: LocalChange): Promise<JournalOutcome> {
    return this.ds.transaction(async (m) => {
      const [ref] = await m.query<{ order_id: string }[]>(
        `SELECT order_id FROM payment_attempts WHERE id = $1`,
        [change.attemptId],
      );
      if (!ref) return { result: 'unchanged' };
      const order = await lockOrder(m, ref.order_id);
      const attempt = await lockAttempt(m, change.attemptId);
      const decision = decideTransition(attempt.status, change.status, {
        orderStatus: order.status,
        operator: change.verifiedBy === 'operator',
      });
      if (decision.action !== 'apply') return { result: 'unchanged' };
      const event = await this.apply(m, localStep(order, attempt, change, decision));
      return { result: 'recorded', event };
    });
  }

  private async recordIn(m: EntityManager, input: VerifiedInput): Promise<JournalOutcome> {
    const { claim, lookup } = input;
    if (input.rawEventId && !(await claimRaw(m, input.rawEventId))) {
      return { result: 'already_done' };
    }

    const sessionId = lookup?.sessionId ?? claim.sessionId ?? null;
    const known = await attemptBySession(m, sessionId);
    // Our own record says which order a known session belongs to.
    const orderId = known?.order_id ?? lookup?.orderId ?? claim.orderId;

    const mismatches: Mismatch[] = lookup
      ? []
      : [{ field: 'session', source: 'lookup', expected: sessionId, actual: null }];
    if (!orderId) {
      if (lookup) mismatches.push(...findMismatches(claim, input.claimedStatus, lookup, undefined));
      if (input.rawEventId) await finishRaw(m, input.rawEventId, 'manual_review');
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

    await ensureOrder(m, orderId, lookup);
    const order = await lockOrder(m, orderId);

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
    let attempt: AttemptRow;
    if (known) {
      attempt = await lockAttempt(m, known.id);
    } else {
      const created = await insertAttempt(
        m,
        orderId,
        sessionId,
        claim,
        lookup,
        this.config.links.recoveryAfterSeconds,
      );
      attempt = created.attempt;
      audits.push(created.audit);
    }

    const unknownStatus = lookup !== null && !lookup.status.known;
    const verified: PaymentStatus =
      mismatches.length > 0 || unknownStatus || !lookup ? 'manual_review' : lookup.status.status;
    const refundedBefore = Number(attempt.refunded_amount_minor);
    const refundedAfter = lookup?.refundedAmountMinor ?? refundedBefore;
    const open = known ? await openReviewOf(m, attempt.id) : undefined;
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

    const step = verifiedStep(input, {
      order,
      attempt,
      verified,
      decision,
      refundedAfter: decision.action === 'ignore' ? refundedBefore : refundedAfter,
      mismatches,
      unknownStatus,
      actor,
      audits,
    });
    // A webhook the attempt already reflects (late, or beaten by the lookup of an earlier one) is
    // audited but is no event: each attempt has one event per status it reached.
    const event =
      decision.action === 'ignore' ? await this.ignore(m, step) : await this.apply(m, step);
    if (input.rawEventId) {
      await finishRaw(
        m,
        input.rawEventId,
        verified === 'manual_review' ? 'manual_review' : 'verified',
      );
    }
    if (lookup) await fillOrderFacts(m, order, lookup);
    return event ? { result: 'recorded', event } : { result: 'unchanged' };
  }

  private async ignore(m: EntityManager, s: JournalStep): Promise<null> {
    const e = stepEffect(s);
    this.transitions.inc({ from: e.from, to: s.verified, action: s.decision.action });
    const ctx = { orderId: s.order.order_id, attemptId: s.attempt.id, rawEventId: s.rawEventId };
    await this.audit.record(
      [...s.audits, attemptAudit(s, e, 0)].map((r) => ({ ...ctx, ...r })),
      m,
    );
    return null;
  }

  private async apply(m: EntityManager, s: JournalStep): Promise<PaymentEventV1> {
    const e = stepEffect(s);
    this.transitions.inc({ from: e.from, to: s.verified, action: s.decision.action });
    if (e.to !== e.from || s.refundedAfter !== Number(s.attempt.refunded_amount_minor)) {
      // An unverifiable attempt stays on the recovery schedule: a later lookup may settle it.
      await m.query(
        `UPDATE payment_attempts SET status = $2, refunded_amount_minor = $3,
           status_changed_at = CASE WHEN status <> $2 THEN now() ELSE status_changed_at END,
           next_check_at = CASE WHEN $2 IN ('created','pending') THEN next_check_at
                                WHEN $4 THEN now() + make_interval(secs => $5) END,
           updated_at = now()
         WHERE id = $1`,
        [
          s.attempt.id,
          e.to,
          s.refundedAfter,
          e.opens === 'mismatch',
          this.config.links.recoveryAfterSeconds,
        ],
      );
      await m.query(
        `UPDATE payment_links SET status = $2, updated_at = now()
         WHERE attempt_id = $1 AND status <> 'creating'`,
        [s.attempt.id, LINK_STATUS[e.to]],
      );
    }
    const attempts = await m.query<{ attemptNo: number; status: PaymentStatus }[]>(
      `SELECT attempt_no AS "attemptNo", status FROM payment_attempts WHERE order_id = $1`,
      [s.order.order_id],
    );
    const orderStatus = deriveOrderStatus(attempts);
    if (orderStatus !== s.order.status) {
      await m.query(
        `UPDATE payment_orders SET status = $2, updated_at = now() WHERE order_id = $1`,
        [s.order.order_id, orderStatus],
      );
    }

    const event = buildPaymentEvent(s, e, orderStatus, randomUUID(), new Date());
    await m.query(
      `INSERT INTO payment_events (id, schema_version, order_id, attempt_id, raw_event_id, type,
         previous_status, applied, amount_minor, currency, occurred_at, verified_at, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)`,
      [
        event.id,
        event.schemaVersion,
        event.orderId,
        s.attempt.id,
        s.rawEventId,
        event.type,
        e.from,
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

    const audits = [
      ...s.audits,
      attemptAudit(s, e, fanOut),
      ...(await reviewStep(m, s, e, event.id)),
      ...(orderStatus !== s.order.status ? [orderAudit(s, orderStatus)] : []),
    ];
    const ctx = {
      orderId: s.order.order_id,
      attemptId: s.attempt.id,
      eventId: event.id,
      rawEventId: s.rawEventId,
    };
    await this.audit.record(
      audits.map((r) => ({ ...ctx, ...r })),
      m,
    );
    return event;
  }

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
    const { ids, audit } = await clearFlagReviews(m, orderId, attemptId, r);
    if (audit) await this.audit.record(audit, m);
    return ids;
  }
}
