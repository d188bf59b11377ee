import type { AuditRecord } from '../audit/audit.service';
import type { PaymentLinkStatus, PaymentStatus } from '../domain/payment-status';
import { Mismatch, PAYMENT_EVENT_SCHEMA_VERSION, PaymentEventV1 } from './payment-event';
import type { Resolution, ReviewKind } from './payment-reviews';
import type { LocalChange, VerifiedInput } from './journal.types';
import type { TransitionDecision } from './payment-state';

export interface AttemptRow {
  id: string;
  order_id: string;
  attempt_no: number;
  status: PaymentStatus;
  amount_minor: string | null;
  currency: string | null;
  refunded_amount_minor: string;
  provider_payment_id: string | null;
}

export interface OrderRow {
  order_id: string;
  status: PaymentStatus;
  amount_minor: string | null;
  currency: string | null;
  customer_phone: string | null;
  customer_id: string | null;
  crm: Record<string, string>;
}

export interface JournalStep {
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

export const num = (v: string | null | undefined) =>
  v === null || v === undefined ? null : Number(v);

export function localStep(
  order: OrderRow,
  attempt: AttemptRow,
  change: LocalChange,
  decision: TransitionDecision,
): JournalStep {
  return {
    order,
    attempt,
    verified: change.status,
    decision,
    refundedAfter: Number(attempt.refunded_amount_minor),
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
      : [{ kind: `link.${change.status}`, actor: change.actor, data: { reason: change.reason } }],
    resolution: change.decision
      ? { resolution: change.decision, actor: change.actor, reason: change.reason }
      : undefined,
  };
}

export function verifiedStep(
  input: VerifiedInput,
  f: Pick<
    JournalStep,
    'order' | 'attempt' | 'verified' | 'decision' | 'refundedAfter' | 'mismatches' | 'actor'
  > & { unknownStatus: boolean; audits: AuditRecord[] },
): JournalStep {
  const { claim, lookup } = input;
  const flags: string[] = [];
  if (f.decision.action === 'apply' && f.decision.flag) flags.push(f.decision.flag);
  if (f.unknownStatus) flags.push('unknown_provider_status');
  const verification: AuditRecord = {
    kind: 'verification.result',
    actor: f.actor,
    data: {
      outcome: f.verified === 'manual_review' ? 'manual_review' : 'verified',
      verifiedBy: input.verifiedBy,
      lookupStatus: lookup?.providerStatus ?? null,
      claimedStatus: claim.status ?? null,
      verifiedStatus: f.verified,
      mismatches: f.mismatches,
      ...(f.unknownStatus ? { reason: 'unknown provider status' } : {}),
    },
  };
  return {
    order: f.order,
    attempt: f.attempt,
    verified: f.verified,
    decision: f.decision,
    refundedAfter: f.refundedAfter,
    mismatches: f.mismatches,
    flags,
    amountMinor: lookup?.amountMinor ?? claim.amountMinor ?? null,
    currency: lookup?.currency ?? claim.currency ?? null,
    crm: { ...(lookup?.crm ?? {}), ...f.order.crm },
    occurredAt: claim.createdAt ?? input.receivedAt,
    verifiedBy: input.verifiedBy,
    providerEventId: input.providerEventId,
    claimedStatus: claim.status ?? null,
    rawEventId: input.rawEventId,
    actor: f.actor,
    audits: [...f.audits, verification],
    resolution: input.operator
      ? { resolution: 'lookup', actor: f.actor, reason: input.operator.reason }
      : undefined,
  };
}

export interface StepEffect {
  from: PaymentStatus;
  to: PaymentStatus;
  moves: boolean;
  opens: ReviewKind | null;
  flags: string[];
}

export const LINK_STATUS: Record<PaymentStatus, PaymentLinkStatus> = {
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

export function stepEffect(s: JournalStep): StepEffect {
  const from = s.attempt.status;
  const d = s.decision;
  const moves = d.action === 'apply' || d.action === 'review';
  const to = moves ? d.to : from;
  const opens: ReviewKind | null =
    d.action === 'hold'
      ? 'flag'
      : moves && to === 'manual_review' && from !== 'manual_review'
        ? d.action === 'review'
          ? 'contradiction'
          : 'mismatch'
        : null;
  const flags = d.action === 'hold' ? [...s.flags, 'held_for_review'] : s.flags;
  return { from, to, moves, opens, flags };
}

// Id and time are handed in so the result is reproducible.
export function buildPaymentEvent(
  s: JournalStep,
  e: StepEffect,
  orderStatus: PaymentStatus,
  id: string,
  verifiedAt: Date,
): PaymentEventV1 {
  return {
    schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
    id,
    provider: 'vpos',
    providerEventId: s.providerEventId,
    providerPaymentId: s.attempt.provider_payment_id,
    orderId: s.order.order_id,
    attemptId: s.attempt.id,
    attemptNo: s.attempt.attempt_no,
    type: s.verified,
    previousStatus: e.from,
    orderStatus,
    applied: e.moves,
    amountMinor: s.amountMinor,
    currency: s.currency,
    refundedAmountMinor: s.refundedAfter || null,
    customer: { phone: s.order.customer_phone, id: s.order.customer_id },
    crm: s.crm,
    occurredAt: s.occurredAt.toISOString(),
    verifiedAt: verifiedAt.toISOString(),
    verifiedBy: s.verifiedBy,
    claimedStatus: s.claimedStatus,
    mismatches: s.mismatches,
    flags: e.flags,
    rawEventId: s.rawEventId,
  };
}

export function attemptAudit(s: JournalStep, e: StepEffect, deliveries: number): AuditRecord {
  const d = s.decision;
  if (d.action === 'ignore' || d.action === 'hold') {
    return {
      kind: d.action === 'hold' ? 'state.held' : 'state.ignored',
      actor: s.actor,
      data: { scope: 'attempt', current: e.from, proposed: s.verified, reason: d.reason },
    };
  }
  return {
    kind: 'state.transition',
    actor: s.actor,
    data: {
      scope: 'attempt',
      from: e.from,
      to: e.to,
      cause: s.providerEventId ?? s.verifiedBy,
      deliveries,
      ...(d.action === 'review' ? { reason: d.reason } : {}),
      ...(e.flags.length ? { flags: e.flags } : {}),
    },
  };
}

export function orderAudit(s: JournalStep, orderStatus: PaymentStatus): AuditRecord {
  return {
    kind: 'state.transition',
    actor: s.actor,
    data: {
      scope: 'order',
      from: s.order.status,
      to: orderStatus,
      cause: s.providerEventId ?? s.verifiedBy,
    },
  };
}

export function reviewReason(s: JournalStep): string {
  return s.decision.action === 'apply'
    ? s.mismatches.map((x) => `${x.field} (${x.source})`).join(', ') || 'unverified status'
    : s.decision.reason;
}
