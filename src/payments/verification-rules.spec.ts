import type { VposSessionView } from '../providers/vpos/vpos.client';
import { mapVposStatus } from '../providers/vpos/vpos-status';
import { claimedIsAhead, findMismatches } from './verification-rules';

const lookup = (over: Partial<VposSessionView> = {}): VposSessionView => ({
  sessionId: 'ps_1',
  providerStatus: 'paid',
  status: mapVposStatus('paid'),
  orderId: 'ord-1',
  amountMinor: 5000,
  currency: 'AMD',
  crm: {},
  raw: {},
  ...over,
});
const claim = {
  sessionId: 'ps_1',
  orderId: 'ord-1',
  amountMinor: 5000,
  currency: 'AMD',
  status: 'paid',
};

describe('verification rules', () => {
  it('no mismatch when webhook, lookup and record agree', () => {
    expect(
      findMismatches(claim, mapVposStatus('paid'), lookup(), {
        amountMinor: 5000,
        currency: 'AMD',
      }),
    ).toEqual([]);
  });

  it('reports each differing field with its source', () => {
    const m = findMismatches(
      { ...claim, orderId: 'ord-2', amountMinor: 1 },
      mapVposStatus('paid'),
      lookup(),
      { amountMinor: 5000, currency: 'USD' },
    );
    expect(m).toEqual([
      { field: 'orderId', source: 'webhook', expected: 'ord-1', actual: 'ord-2' },
      { field: 'amountMinor', source: 'webhook', expected: 5000, actual: 1 },
      { field: 'currency', source: 'record', expected: 'USD', actual: 'AMD' },
    ]);
  });

  it('a lookup missing the amount or order id is a mismatch', () => {
    const m = findMismatches(
      claim,
      mapVposStatus('paid'),
      lookup({ amountMinor: undefined, orderId: undefined }),
      undefined,
    );
    expect(m.map((x) => [x.field, x.source])).toEqual([
      ['orderId', 'lookup'],
      ['amountMinor', 'lookup'],
    ]);
  });

  it('a late claim (pending while the lookup says paid) is fine', () => {
    expect(
      findMismatches(
        { ...claim, status: 'pending' },
        mapVposStatus('pending'),
        lookup(),
        undefined,
      ),
    ).toEqual([]);
  });

  it('a claim ahead of the lookup is flagged for retry, then a status mismatch', () => {
    const pending = lookup({ providerStatus: 'pending', status: mapVposStatus('pending') });
    expect(claimedIsAhead(mapVposStatus('paid'), pending.status)).toBe(true);
    expect(findMismatches(claim, mapVposStatus('paid'), pending, undefined)).toEqual([
      { field: 'status', source: 'webhook', expected: 'pending', actual: 'paid' },
    ]);
  });

  it('paid claimed while the lookup says failed is a status mismatch', () => {
    const failed = lookup({ providerStatus: 'failed', status: mapVposStatus('failed') });
    expect(findMismatches(claim, mapVposStatus('paid'), failed, undefined)).toHaveLength(1);
  });
});
