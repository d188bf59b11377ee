import { FINAL_PAYMENT_STATUSES, PaymentStatus } from '../domain/payment-status';

// hold: the CRMs keep seeing the settled status while a person looks; resolve: a verified lookup agrees.
type Rule = 'apply' | 'review' | 'hold' | 'resolve' | 'operator';

// Anything not listed is a late or older event: recorded and ignored.
const TRANSITIONS: Record<PaymentStatus, Partial<Record<PaymentStatus, Rule>>> = {
  // The lookup may reveal a later stage than we saw (missed webhooks): skipping ahead is fine.
  created: {
    pending: 'apply',
    paid: 'apply',
    failed: 'apply',
    cancelled: 'apply',
    expired: 'apply',
    refunded: 'apply',
    partially_refunded: 'apply',
    manual_review: 'apply',
  },
  pending: {
    paid: 'apply',
    failed: 'apply',
    cancelled: 'apply',
    expired: 'apply',
    refunded: 'apply',
    partially_refunded: 'apply',
    manual_review: 'apply',
  },
  // Money taken: an event that does not match is a question for a person, not a new status.
  paid: { refunded: 'apply', partially_refunded: 'apply', manual_review: 'hold' },
  partially_refunded: {
    partially_refunded: 'apply',
    refunded: 'apply',
    manual_review: 'hold',
  },
  refunded: { manual_review: 'hold' },
  // Money taken after the link expired still counts as paid (flagged in the audit log).
  expired: {
    paid: 'apply',
    refunded: 'apply',
    partially_refunded: 'apply',
    manual_review: 'apply',
  },
  // A provider that reports a final failure and then success needs a human.
  failed: {
    paid: 'review',
    refunded: 'review',
    partially_refunded: 'review',
    manual_review: 'apply',
  },
  cancelled: {
    paid: 'review',
    refunded: 'review',
    partially_refunded: 'review',
    manual_review: 'apply',
  },
  // Settled money confirmed by a verified lookup (or an operator) ends a review; failing a
  // payment is only ever an operator's decision.
  manual_review: {
    paid: 'resolve',
    partially_refunded: 'resolve',
    refunded: 'resolve',
    failed: 'operator',
  },
};

const SETTLED: ReadonlySet<PaymentStatus> = new Set(['paid', 'partially_refunded', 'refunded']);

export const FINAL_STATUSES: ReadonlySet<PaymentStatus> = new Set(FINAL_PAYMENT_STATUSES);

export type TransitionDecision =
  | { action: 'apply'; to: PaymentStatus; flag?: 'paid_after_expiry' | 'review_resolved' }
  | { action: 'ignore'; reason: 'same_status' | 'backwards' | 'under_review' }
  | { action: 'review'; to: 'manual_review'; reason: string }
  | { action: 'hold'; reason: string };

export interface TransitionContext {
  refundedBefore?: number;
  refundedAfter?: number;
  /** The order's status as the CRMs see it: once settled, no event moves it into review. */
  orderStatus?: PaymentStatus;
  operator?: boolean;
  /** The open review is the provider contradicting itself: only an operator ends it. */
  contradiction?: boolean;
}

export function decideTransition(
  from: PaymentStatus,
  to: PaymentStatus,
  ctx: TransitionContext = {},
): TransitionDecision {
  const rule = TRANSITIONS[from][to];
  if (from === 'manual_review') {
    const resolves =
      (rule === 'resolve' && (ctx.operator || !ctx.contradiction)) ||
      (rule === 'operator' && ctx.operator);
    return resolves
      ? { action: 'apply', to, flag: 'review_resolved' }
      : { action: 'ignore', reason: 'under_review' };
  }
  if (from === to && to !== 'partially_refunded')
    return { action: 'ignore', reason: 'same_status' };
  if (!rule) return { action: 'ignore', reason: 'backwards' };
  const settledOrder = ctx.orderStatus !== undefined && SETTLED.has(ctx.orderStatus);
  if (rule === 'hold' || (to === 'manual_review' && settledOrder))
    return { action: 'hold', reason: `mismatch_on_${settledOrder ? ctx.orderStatus : from}` };
  if (rule === 'review')
    return { action: 'review', to: 'manual_review', reason: `${to}_after_${from}` };
  if (from === 'partially_refunded' && to === 'partially_refunded') {
    const grew = (ctx.refundedAfter ?? 0) > (ctx.refundedBefore ?? 0);
    return grew ? { action: 'apply', to } : { action: 'ignore', reason: 'same_status' };
  }
  return from === 'expired' && to !== 'manual_review'
    ? { action: 'apply', to, flag: 'paid_after_expiry' }
    : { action: 'apply', to };
}

/** Lifecycle rank: a webhook claiming a lower rank than the lookup is simply late. */
export function statusRank(status: PaymentStatus): number {
  switch (status) {
    case 'created':
      return 0;
    case 'pending':
      return 1;
    case 'paid':
    case 'failed':
    case 'cancelled':
    case 'expired':
      return 2;
    case 'partially_refunded':
      return 3;
    case 'refunded':
      return 4;
    case 'manual_review':
      return 5;
  }
}

/** An order's status from its attempts: money taken wins; two settled attempts need a human. */
export function deriveOrderStatus(
  attempts: ReadonlyArray<{ attemptNo: number; status: PaymentStatus }>,
): PaymentStatus {
  if (attempts.length === 0) return 'created';
  const settled = attempts.filter((a) => SETTLED.has(a.status));
  if (settled.length > 1) return 'manual_review';
  if (attempts.some((a) => a.status === 'manual_review')) return 'manual_review';
  if (settled.length === 1) return settled[0].status;
  return [...attempts].sort((a, b) => b.attemptNo - a.attemptNo)[0].status;
}
