import type { PaymentEventV1 } from '../../payments/payment-event';
import { paymentEvent } from '../../../test/factories/payment-events';
import { leadPatch, majorUnits, newLeadBody, noteMarker, noteText } from './amocrm.mapper';
import { parseAmocrmSettings } from './amocrm.settings';
import type { AmoLead } from './amocrm.types';

const PAID_AT = Date.parse('2026-11-24T14:30:00.000Z') / 1000;

const lead = (overrides: Partial<AmoLead> = {}): AmoLead => ({
  id: 501,
  price: 0,
  status_id: 3001,
  pipeline_id: 300,
  custom_fields_values: null,
  ...overrides,
});

const settings = parseAmocrmSettings({
  orderIdField: 11,
  fields: { paidAt: 12, providerReference: 13, paymentLink: 14 },
  statuses: { refunded: { pipelineId: 300, statusId: 3009 }, failed: { statusId: 143 } },
  newLead: { pipelineId: 400, name: 'VPOS {orderId} {amount}' },
});
const link = { id: 'l1', url: 'https://pay.example/l1', description: null };
const input = (overrides: Partial<PaymentEventV1> = {}) => ({
  event: paymentEvent(overrides),
  link,
  exponent: 2,
});

describe('amoCRM lead mapping', () => {
  it('price is major units of the currency', () => {
    expect(majorUnits(1_250_000, 2)).toBe(12500);
    expect(majorUnits(1_250_050, 2)).toBe(12501);
    expect(majorUnits(500, 0)).toBe(500);
  });

  it('paid: won in the lead’s pipeline, price, order id and payment fields', () => {
    expect(leadPatch(lead(), input(), settings)).toEqual({
      id: 501,
      status_id: 142,
      price: 12500,
      custom_fields_values: [
        { field_id: 11, values: [{ value: 'A-1001' }] },
        { field_id: 12, values: [{ value: PAID_AT }] },
        { field_id: 13, values: [{ value: 'pay-77' }] },
        { field_id: 14, values: [{ value: 'https://pay.example/l1' }] },
      ],
    });
  });

  it('a lead already won is not moved or repriced; only empty fields are filled', () => {
    const won = lead({
      status_id: 142,
      price: 99,
      custom_fields_values: [
        { field_id: 11, values: [{ value: 'A-1001' }] },
        { field_id: 13, values: [{ value: 'someone else' }] },
      ],
    });
    expect(leadPatch(won, input(), settings)).toEqual({
      id: 501,
      custom_fields_values: [
        { field_id: 12, values: [{ value: PAID_AT }] },
        { field_id: 14, values: [{ value: 'https://pay.example/l1' }] },
      ],
    });
    const complete = lead({
      status_id: 142,
      custom_fields_values: [11, 12, 13, 14].map((id) => ({
        field_id: id,
        values: [{ value: 1 }],
      })),
    });
    expect(leadPatch(complete, input(), settings)).toBeNull();
  });

  it('the order id field is filled, never overwritten', () => {
    const other = lead({ custom_fields_values: [{ field_id: 11, values: [{ value: 'B-9' }] }] });
    const patch = leadPatch(other, input({ type: 'expired' }), settings);
    expect(patch).toBeNull();
    expect(leadPatch(lead(), input({ type: 'expired' }), settings)).toEqual({
      id: 501,
      custom_fields_values: [{ field_id: 11, values: [{ value: 'A-1001' }] }],
    });
  });

  it('a failed attempt does not take a won lead to lost; a refund moves it', () => {
    const won = lead({
      status_id: 142,
      custom_fields_values: [{ field_id: 11, values: [{ value: 'A-1001' }] }],
    });
    expect(leadPatch(won, input({ type: 'failed' }), settings)).toBeNull();
    expect(leadPatch(lead(), input({ type: 'failed' }), settings)).toMatchObject({
      status_id: 143,
    });
    expect(leadPatch(won, input({ type: 'refunded' }), settings)).toEqual({
      id: 501,
      status_id: 3009,
    });
  });

  it('a mapped status in another pipeline moves the lead there', () => {
    const s = parseAmocrmSettings({ statuses: { paid: { pipelineId: 900, statusId: 142 } } });
    expect(leadPatch(lead(), input(), s)).toEqual({
      id: 501,
      status_id: 142,
      pipeline_id: 900,
      price: 12500,
    });
  });

  it('a new lead carries the order id field, the target status and the name template', () => {
    expect(newLeadBody(input(), settings, '3')).toEqual({
      request_id: '3',
      name: 'VPOS A-1001 12 500 ֏',
      pipeline_id: 400,
      status_id: 142,
      price: 12500,
      custom_fields_values: expect.arrayContaining([
        { field_id: 11, values: [{ value: 'A-1001' }] },
      ]),
    });
    const expired = newLeadBody(input({ type: 'expired' }), settings, '0');
    expect(expired).toEqual({
      request_id: '0',
      name: 'VPOS A-1001 12 500 ֏',
      pipeline_id: 400,
      custom_fields_values: [{ field_id: 11, values: [{ value: 'A-1001' }] }],
    });
  });

  it('the note says what happened and carries the marker', () => {
    const paid = noteText(input());
    expect(paid).toContain('Payment received: 12 500 ֏');
    expect(paid).toContain('Order A-1001, VPOS payment pay-77, attempt 1');
    expect(paid).toContain('Payment link: https://pay.example/l1');
    expect(paid).toContain('Verified 24.11.2026 18:30 (Yerevan time)');
    expect(paid.endsWith(noteMarker('6f1c1c2e-8d7b-4e4a-9a57-0c9b3b0f2a11'))).toBe(true);

    const review = noteText(
      input({
        type: 'manual_review',
        flags: ['paid_after_expiry'],
        mismatches: [
          { field: 'amountMinor', source: 'webhook', expected: 1250000, actual: 125000 },
        ],
      }),
    );
    expect(review).toContain('Payment needs a manual review');
    expect(review).toContain('Mismatch in amountMinor: webhook says 125000, expected 1250000');
    expect(review).toContain('Flags: paid_after_expiry');
    expect(noteText(input({ type: 'partially_refunded', refundedAmountMinor: 200_000 }))).toContain(
      'Refunded: 2 000 ֏',
    );
  });
});
