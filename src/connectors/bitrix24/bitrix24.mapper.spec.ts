import 'reflect-metadata';
import { paymentEvent } from '../../../test/factories/payment-events';
import type { PaymentEventV1 } from '../../payments/payment-event';
import { Pipeline, StageCatalog } from './bitrix24.catalog';
import { commentMarker, commentText, dealChange, DealRef, newDealFields } from './bitrix24.mapper';
import { parseBitrix24Settings } from './bitrix24.settings';

const pipeline = (id: number, ...stages: string[]): Pipeline => {
  const p = (s: string) => (id === 0 ? s : `C${id}:${s}`);
  return { id, name: `p${id}`, stages: stages.map(p), won: p('WON') };
};
const catalog = new StageCatalog(
  new Map([
    [0, pipeline(0, 'NEW', 'WON', 'LOSE', 'APOLOGY')],
    [3, pipeline(3, 'NEW', 'UC_REVIEW', 'WON', 'LOSE')],
  ]),
);

const event = (overrides: Partial<PaymentEventV1> = {}): PaymentEventV1 =>
  paymentEvent({ providerPaymentId: 'ps_1', amountMinor: 1_250_050, ...overrides });
const deal = (overrides: Partial<DealRef> = {}): DealRef => ({
  id: 41,
  categoryId: 0,
  stageId: 'NEW',
  semantic: 'P',
  ...overrides,
});
const link = { id: 'l1', url: 'https://pay.example/l1', description: 'Sofa' };

describe('Bitrix24 mapping', () => {
  it('paid: the won stage of the deal’s own pipeline, amount in major units, mapped fields', () => {
    const settings = parseBitrix24Settings({
      fields: { paidAt: 'UF_CRM_PAID', providerReference: 'UF_CRM_REF', paymentLink: 'UF_CRM_URL' },
    });
    expect(dealChange(event(), deal(), link, settings, catalog, 2).fields).toEqual({
      STAGE_ID: 'WON',
      OPPORTUNITY: 12500.5,
      CURRENCY_ID: 'AMD',
      IS_MANUAL_OPPORTUNITY: 'Y',
      UF_CRM_PAID: '2026-11-24T14:30:00.000Z',
      UF_CRM_REF: 'ps_1',
      UF_CRM_URL: 'https://pay.example/l1',
    });
    const c3 = dealChange(
      event(),
      deal({ categoryId: 3, stageId: 'C3:NEW' }),
      null,
      settings,
      catalog,
      2,
    );
    expect(c3.fields.STAGE_ID).toBe('C3:WON');
  });

  it('a won deal is not moved again by a payment, but a mapped refund stage moves it', () => {
    const settings = parseBitrix24Settings({ stages: { refunded: 'LOSE', failed: 'LOSE' } });
    const won = deal({ stageId: 'WON', semantic: 'S' });
    const paid = dealChange(event(), won, null, settings, catalog, 2);
    expect(paid.fields.STAGE_ID).toBeUndefined();
    expect(paid.fields.OPPORTUNITY).toBe(12500.5);
    expect(dealChange(event({ type: 'failed' }), won, null, settings, catalog, 2).fields).toEqual(
      {},
    );
    const refund = dealChange(
      event({ type: 'refunded', refundedAmountMinor: 1_250_050 }),
      won,
      null,
      settings,
      catalog,
      2,
    );
    expect(refund.fields).toEqual({ STAGE_ID: 'LOSE' });
  });

  it('a bare stage id applies in every pipeline that has it; a C<n>: id only in pipeline n', () => {
    const settings = parseBitrix24Settings({
      stages: { manual_review: 'UC_REVIEW', refunded: 'C3:LOSE' },
    });
    const review = event({ type: 'manual_review' });
    expect(dealChange(review, deal({ categoryId: 3 }), null, settings, catalog, 2).fields).toEqual({
      STAGE_ID: 'C3:UC_REVIEW',
    });
    const general = dealChange(review, deal(), null, settings, catalog, 2);
    expect(general.fields).toEqual({});
    expect(general.stageNote).toBe('stage UC_REVIEW is not in pipeline 0; stage unchanged');
    const refund = event({ type: 'refunded' });
    expect(dealChange(refund, deal(), null, settings, catalog, 2).fields).toEqual({});
    expect(dealChange(refund, deal({ categoryId: 3 }), null, settings, catalog, 2).fields).toEqual({
      STAGE_ID: 'C3:LOSE',
    });
  });

  it('a new deal carries the order id where the lookup will search for it', () => {
    const byOrigin = newDealFields(event(), link, parseBitrix24Settings({}), catalog, 2);
    expect(byOrigin).toMatchObject({
      TITLE: 'Order A-1001',
      CATEGORY_ID: 0,
      ORIGINATOR_ID: 'vpos-hub',
      ORIGIN_ID: 'A-1001',
      STAGE_ID: 'WON',
      OPPORTUNITY: 12500.5,
    });
    const byField = newDealFields(
      event({ type: 'failed' }),
      link,
      parseBitrix24Settings({
        orderIdField: 'UF_CRM_ORDER',
        newDeal: { categoryId: 3, stageId: 'NEW', title: '{description} #{orderId}' },
      }),
      catalog,
      2,
    );
    expect(byField).toMatchObject({
      TITLE: 'Sofa #A-1001',
      CATEGORY_ID: 3,
      UF_CRM_ORDER: 'A-1001',
      ORIGIN_ID: 'A-1001',
      STAGE_ID: 'C3:NEW',
    });
  });

  it('the comment summarizes the payment and ends with the event’s marker', () => {
    const text = commentText(event(), link, 2);
    expect(text.split('\n')).toEqual([
      'Payment received: 12 500.50 ֏',
      'Order A-1001, VPOS payment ps_1, attempt 1',
      'Payment link: https://pay.example/l1',
      'Verified 24.11.2026 18:30 (Yerevan time) by status_lookup',
      commentMarker(event().id),
    ]);
    const review = commentText(
      event({
        type: 'manual_review',
        mismatches: [{ field: 'amountMinor', source: 'lookup', expected: 100, actual: 90 }],
      }),
      null,
      2,
    );
    expect(review).toContain('Mismatch in amountMinor: lookup says 90, expected 100');
  });
});

describe('Bitrix24 settings', () => {
  it('names every bad field', () => {
    let message = '';
    try {
      parseBitrix24Settings({
        orderIdField: 'TITLE',
        stages: { paid: 'won now' },
        fields: { paidAt: 'PAID_AT' },
        batchSize: 0,
        rateLimit: { capacity: 500, refillPerSecond: 2 },
        extra: true,
      });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const field of [
      'orderIdField',
      'stages.paid',
      'fields.paidAt',
      'batchSize',
      'rateLimit.capacity',
      'extra',
    ]) {
      expect(message).toContain(`settings.${field}: `);
    }
  });

  it('accepts an empty object (the defaults)', () => {
    expect(parseBitrix24Settings({})).toEqual({});
    expect(parseBitrix24Settings(undefined)).toEqual({});
  });
});
