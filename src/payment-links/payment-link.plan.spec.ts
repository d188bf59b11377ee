import type { AppConfig } from '../config/app-config';
import { planPaymentLink, requestHash } from './payment-link.plan';
import type { CreatePaymentLinkDto } from './payment-links.dto';
import type { Product } from './product.entity';

const links: AppConfig['links'] = {
  currencies: ['AMD', 'USD'],
  defaultTtlSeconds: 3600,
  maxTtlSeconds: 86400,
  language: 'hy',
  templates: {},
  recoveryAfterSeconds: 600,
  schedulerIntervalMs: 30000,
};
const NOW = Date.parse('2026-03-01T10:00:00Z');
const dto = (d: Partial<CreatePaymentLinkDto>) =>
  ({ orderId: 'o-1', amountMinor: 500, customer: { phone: '091 234567' }, ...d }) as never;
const product = { id: 'p-1', amountMinor: 900, currency: 'USD', name: 'Lesson' } as Product;

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
}

describe('planPaymentLink', () => {
  it('normalizes the phone and takes the defaults', () => {
    const plan = planPaymentLink(dto({}), null, links, NOW);
    expect(plan).toMatchObject({ orderId: 'o-1', currency: 'AMD', language: 'hy' });
    expect(plan.customer.phone).toBe('+37491234567');
    expect(plan.expiresAt.getTime()).toBe(NOW + 3600_000);
  });

  it('takes amount, currency and name from a product, which fixes them', () => {
    const plan = planPaymentLink(dto({ amountMinor: undefined }), product, links, NOW);
    expect(plan).toMatchObject({ amountMinor: 900, currency: 'USD', description: 'Lesson' });
    expect(refusal(() => planPaymentLink(dto({}), product, links, NOW))).toMatch(
      /^amountMinor: fixed by the product/,
    );
  });

  it.each([
    [{ currency: 'EUR' }, /^currency: EUR is not enabled/],
    [{ customer: { phone: '12' } }, /^customer\.phone: "12" is not a valid phone number/],
    [{ customer: {} }, /^customer: a phone or an id is required/],
    [{ ttlSeconds: 60, expiresAt: '2026-03-02T00:00:00Z' }, /^expiresAt: give either/],
    [{ expiresAt: '2026-03-01T10:00:30Z' }, /^expiresAt: must be at least a minute/],
    [{ ttlSeconds: 86401 }, /^ttlSeconds: at most 86400/],
  ])('refuses %j naming the field', (bad, message) => {
    expect(refusal(() => planPaymentLink(dto(bad), null, links, NOW))).toMatch(message);
  });
});

describe('requestHash', () => {
  it('ignores key order and undefined fields', () => {
    expect(requestHash({ a: 1, b: { c: 2, d: undefined } } as never)).toBe(
      requestHash({ b: { c: 2 }, a: 1 } as never),
    );
    expect(requestHash({ a: 1 } as never)).not.toBe(requestHash({ a: 2 } as never));
  });
});
