import { decideTransition, deriveOrderStatus, FINAL_STATUSES } from './payment-state';
import { PAYMENT_STATUSES, PaymentStatus } from '../domain/payment-status';

describe('payment state machine', () => {
  it.each<[PaymentStatus, PaymentStatus]>([
    ['created', 'pending'],
    ['created', 'paid'],
    ['pending', 'paid'],
    ['pending', 'failed'],
    ['pending', 'cancelled'],
    ['pending', 'expired'],
    ['paid', 'refunded'],
    ['paid', 'partially_refunded'],
    ['partially_refunded', 'refunded'],
    ['pending', 'manual_review'],
    // missed webhooks: the lookup shows a later stage
    ['created', 'refunded'],
    ['pending', 'partially_refunded'],
  ])('%s → %s applies', (from, to) => {
    expect(decideTransition(from, to)).toMatchObject({ action: 'apply', to });
  });

  it('never moves a final status back to pending or created', () => {
    for (const from of FINAL_STATUSES) {
      for (const to of ['pending', 'created'] as const) {
        expect(decideTransition(from, to).action).toBe('ignore');
      }
    }
  });

  it('a late pending after paid is ignored as backwards', () => {
    expect(decideTransition('paid', 'pending')).toEqual({ action: 'ignore', reason: 'backwards' });
  });

  it('the same status twice is a no-op', () => {
    expect(decideTransition('paid', 'paid')).toEqual({ action: 'ignore', reason: 'same_status' });
  });

  it('a refund never turns back into paid', () => {
    expect(decideTransition('refunded', 'paid').action).toBe('ignore');
    expect(decideTransition('partially_refunded', 'paid').action).toBe('ignore');
    expect(decideTransition('refunded', 'partially_refunded').action).toBe('ignore');
  });

  it('a second partial refund applies only when it refunds more', () => {
    const more = decideTransition('partially_refunded', 'partially_refunded', {
      refundedBefore: 100,
      refundedAfter: 300,
    });
    expect(more.action).toBe('apply');
    const same = decideTransition('partially_refunded', 'partially_refunded', {
      refundedBefore: 300,
      refundedAfter: 300,
    });
    expect(same.action).toBe('ignore');
  });

  it('paid after expiry counts and is flagged', () => {
    expect(decideTransition('expired', 'paid')).toEqual({
      action: 'apply',
      to: 'paid',
      flag: 'paid_after_expiry',
    });
  });

  it('paid after a final failure or cancel needs a human', () => {
    expect(decideTransition('failed', 'paid')).toMatchObject({
      action: 'review',
      to: 'manual_review',
    });
    expect(decideTransition('cancelled', 'paid')).toMatchObject({ action: 'review' });
  });

  it('an event that does not match a settled attempt is held, never a new status', () => {
    for (const from of ['paid', 'partially_refunded', 'refunded'] as const) {
      expect(decideTransition(from, 'manual_review')).toEqual({
        action: 'hold',
        reason: `mismatch_on_${from}`,
      });
    }
  });

  it('a mismatch on another attempt of a settled order is held too', () => {
    expect(decideTransition('created', 'manual_review', { orderStatus: 'paid' })).toEqual({
      action: 'hold',
      reason: 'mismatch_on_paid',
    });
    expect(decideTransition('created', 'manual_review', { orderStatus: 'pending' })).toEqual({
      action: 'apply',
      to: 'manual_review',
    });
    // A real second payment still puts the order in front of a person.
    expect(decideTransition('failed', 'paid', { orderStatus: 'paid' })).toMatchObject({
      action: 'review',
    });
  });

  it('a verified lookup showing settled money ends a review', () => {
    for (const to of ['paid', 'partially_refunded', 'refunded'] as const) {
      expect(decideTransition('manual_review', to)).toEqual({
        action: 'apply',
        to,
        flag: 'review_resolved',
      });
    }
  });

  it('a review of the provider contradicting itself is ended only by an operator', () => {
    expect(decideTransition('manual_review', 'paid', { contradiction: true })).toEqual({
      action: 'ignore',
      reason: 'under_review',
    });
    expect(
      decideTransition('manual_review', 'paid', { contradiction: true, operator: true }),
    ).toMatchObject({ action: 'apply', to: 'paid' });
  });

  it('only an operator fails a payment under review', () => {
    expect(decideTransition('manual_review', 'failed')).toEqual({
      action: 'ignore',
      reason: 'under_review',
    });
    expect(decideTransition('manual_review', 'failed', { operator: true })).toEqual({
      action: 'apply',
      to: 'failed',
      flag: 'review_resolved',
    });
    // Nothing else leaves manual review, whoever asks; paid never becomes failed.
    for (const to of ['created', 'pending', 'cancelled', 'expired', 'manual_review'] as const) {
      for (const operator of [false, true]) {
        expect(decideTransition('manual_review', to, { operator })).toEqual({
          action: 'ignore',
          reason: 'under_review',
        });
      }
    }
    for (const from of ['paid', 'partially_refunded', 'refunded'] as const) {
      expect(decideTransition(from, 'failed', { operator: true }).action).toBe('ignore');
    }
  });

  it('no transition ever leads from a final status to a non-final one', () => {
    for (const from of FINAL_STATUSES) {
      for (const to of PAYMENT_STATUSES) {
        for (const operator of [false, true]) {
          const d = decideTransition(from, to, { operator });
          if (d.action === 'apply' || d.action === 'review')
            expect(FINAL_STATUSES.has(d.to)).toBe(true);
        }
      }
    }
  });
});

describe('order status from attempts', () => {
  it('is created with no attempts', () => {
    expect(deriveOrderStatus([])).toBe('created');
  });
  it('follows the latest attempt while nothing is paid', () => {
    expect(
      deriveOrderStatus([
        { attemptNo: 1, status: 'failed' },
        { attemptNo: 2, status: 'pending' },
      ]),
    ).toBe('pending');
  });
  it('is paid when one attempt is paid, whatever came later', () => {
    expect(
      deriveOrderStatus([
        { attemptNo: 1, status: 'paid' },
        { attemptNo: 2, status: 'expired' },
      ]),
    ).toBe('paid');
  });
  it('goes to manual review when two attempts took money', () => {
    expect(
      deriveOrderStatus([
        { attemptNo: 1, status: 'paid' },
        { attemptNo: 2, status: 'paid' },
      ]),
    ).toBe('manual_review');
  });
  it('goes to manual review when any attempt is under review', () => {
    expect(
      deriveOrderStatus([
        { attemptNo: 1, status: 'manual_review' },
        { attemptNo: 2, status: 'pending' },
      ]),
    ).toBe('manual_review');
  });
});
