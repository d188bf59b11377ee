import { paymentEvent } from '../../../test/factories/payment-events';
import { columnLetter, firstRowOf, isoInZone, quoteSheet, rowValues } from './google-sheets.mapper';
import { DEFAULT_COLUMNS } from './google-sheets.settings';

describe('google-sheets mapper', () => {
  const link = {
    id: 'l1',
    url: 'https://pay.vpos.am/l1',
    description: '=IMPORTXML("http://x","//a")',
  };

  it('a paid order: amount in major units as a number, times in the zone, text kept as text', () => {
    const row = rowValues(DEFAULT_COLUMNS, {
      event: paymentEvent({
        amountMinor: 1_250_050,
        currency: 'AMD',
        crm: { bitrix24DealId: '55' },
      }),
      link,
      exponent: 2,
      timeZone: 'Asia/Yerevan',
    });
    expect(row).toEqual([
      'A-1001',
      'paid',
      12500.5,
      'AMD',
      '+37491234567',
      null,
      '=IMPORTXML("http://x","//a")',
      '2026-11-24T18:30:00+04:00',
      'pay-77',
      'https://pay.vpos.am/l1',
      '55',
      null,
      '2026-11-24T18:30:05+04:00',
    ]);
  });

  it('a refund keeps paid-at (null skips the cell) and shows the order status', () => {
    const row = rowValues(['orderId', 'status', 'paidAt'], {
      event: paymentEvent({ type: 'refunded', orderStatus: 'refunded' }),
      link: null,
      exponent: 2,
      timeZone: 'UTC',
      bitrix24Deal: 'https://b24.example/crm/deal/details/55/',
    });
    expect(row).toEqual(['A-1001', 'refunded', null]);
  });

  it('formats offsets, columns, sheet names and updated ranges', () => {
    expect(isoInZone(new Date('2026-01-01T00:00:00Z'), 'America/St_Johns')).toBe(
      '2025-12-31T20:30:00-03:30',
    );
    expect(isoInZone(new Date('2026-01-01T00:00:00Z'), 'UTC')).toBe('2026-01-01T00:00:00+00:00');
    expect([0, 12, 25, 26, 701].map(columnLetter)).toEqual(['A', 'M', 'Z', 'AA', 'ZZ']);
    expect(quoteSheet("Bob's tab")).toBe("'Bob''s tab'");
    expect(firstRowOf("'Orders'!A12:M14")).toBe(12);
    expect(firstRowOf('Sheet1!B3')).toBe(3);
    expect(firstRowOf('')).toBeUndefined();
  });
});
