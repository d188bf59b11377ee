import { randomBytes } from 'node:crypto';

let seq = 0;

/** A VPOS payment session body with a unique order id. */
export function sessionBody(overrides: Record<string, unknown> = {}) {
  seq += 1;
  return {
    merchantOrderId: `ord-${Date.now().toString(36)}-${seq}-${randomBytes(2).toString('hex')}`,
    amountMinor: 1_250_000,
    currency: 'AMD',
    provider: 'manual',
    customer: { phone: '+37491234567', name: 'Ani' },
    metadata: { customerId: 'cust-42', crm: { bitrix24DealId: '1001' } },
    ...overrides,
  };
}
