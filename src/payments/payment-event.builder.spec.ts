import {
  AttemptRow,
  attemptAudit,
  buildPaymentEvent,
  JournalStep,
  localStep,
  OrderRow,
  stepEffect,
} from './payment-event.builder';

const order: OrderRow = {
  order_id: 'o-1',
  status: 'pending',
  amount_minor: '500',
  currency: 'AMD',
  customer_phone: '+37491234567',
  customer_id: null,
  crm: { bitrix24DealId: '7' },
};
const attempt: AttemptRow = {
  id: 'a-1',
  order_id: 'o-1',
  attempt_no: 2,
  status: 'pending',
  amount_minor: '500',
  currency: 'AMD',
  refunded_amount_minor: '0',
  provider_payment_id: 's-1',
};
const step = (over: Partial<JournalStep>): JournalStep => ({
  ...localStep(
    order,
    attempt,
    { attemptId: 'a-1', status: 'paid', verifiedBy: 'operator', actor: 'ann', reason: 'r' },
    { action: 'apply', to: 'paid' },
  ),
  ...over,
});

describe('payment event builder', () => {
  it.each([
    [{ action: 'hold', reason: 'settled' }, 'pending', 'flag'],
    [{ action: 'review', to: 'manual_review', reason: 'x' }, 'manual_review', 'contradiction'],
    [{ action: 'apply', to: 'manual_review' }, 'manual_review', 'mismatch'],
    [{ action: 'apply', to: 'paid' }, 'paid', null],
    [{ action: 'ignore', reason: 'same_status' }, 'pending', null],
  ] as const)('%j moves the attempt to %s and opens %s', (decision, to, opens) => {
    const e = stepEffect(step({ decision }));
    expect(e).toMatchObject({ from: 'pending', to, opens });
    expect(e.moves).toBe(decision.action === 'apply' || decision.action === 'review');
    expect(e.flags.includes('held_for_review')).toBe(decision.action === 'hold');
  });

  it('builds the normalized event from the step alone', () => {
    const s = step({});
    const at = new Date('2026-03-01T10:00:00Z');
    const event = buildPaymentEvent(s, stepEffect(s), 'paid', 'e-1', at);
    expect(event).toMatchObject({
      schemaVersion: 1,
      id: 'e-1',
      orderId: 'o-1',
      attemptId: 'a-1',
      attemptNo: 2,
      providerPaymentId: 's-1',
      type: 'paid',
      previousStatus: 'pending',
      orderStatus: 'paid',
      applied: true,
      amountMinor: 500,
      refundedAmountMinor: null,
      customer: { phone: '+37491234567', id: null },
      crm: { bitrix24DealId: '7' },
      verifiedAt: at.toISOString(),
      verifiedBy: 'operator',
    });
  });

  it('audits a move with its deliveries, and a held event with its reason', () => {
    const moved = step({});
    expect(attemptAudit(moved, stepEffect(moved), 3)).toMatchObject({
      kind: 'state.transition',
      data: { from: 'pending', to: 'paid', deliveries: 3, cause: 'operator' },
    });
    const held = step({ decision: { action: 'hold', reason: 'settled' } });
    expect(attemptAudit(held, stepEffect(held), 0)).toMatchObject({
      kind: 'state.held',
      data: { current: 'pending', proposed: 'paid', reason: 'settled' },
    });
  });

  it('marks an operator decision as a resolution, not a link audit', () => {
    const s = localStep(
      order,
      attempt,
      {
        attemptId: 'a-1',
        status: 'failed',
        verifiedBy: 'operator',
        actor: 'ann',
        reason: 'no money',
        decision: 'mark_failed',
      },
      { action: 'apply', to: 'failed' },
    );
    expect(s.audits).toEqual([]);
    expect(s.resolution).toEqual({ resolution: 'mark_failed', actor: 'ann', reason: 'no money' });
  });
});
