import type { PaymentEventV1 } from '../../src/payments/payment-event';

/** A verified, applied `paid` event of order A-1001 (1 250 000 minor AMD). */
export function paymentEvent(overrides: Partial<PaymentEventV1> = {}): PaymentEventV1 {
  return {
    schemaVersion: 1,
    id: '6f1c1c2e-8d7b-4e4a-9a57-0c9b3b0f2a11',
    provider: 'vpos',
    providerEventId: 'evt-1',
    providerPaymentId: 'pay-77',
    orderId: 'A-1001',
    attemptId: null,
    attemptNo: 1,
    type: 'paid',
    previousStatus: 'pending',
    orderStatus: 'paid',
    applied: true,
    amountMinor: 1_250_000,
    currency: 'AMD',
    refundedAmountMinor: null,
    customer: { phone: '+37491234567', id: null },
    crm: {},
    occurredAt: '2026-11-24T14:30:00.000Z',
    verifiedAt: '2026-11-24T14:30:05.000Z',
    verifiedBy: 'status_lookup',
    claimedStatus: 'paid',
    mismatches: [],
    flags: [],
    rawEventId: null,
    ...overrides,
  };
}
