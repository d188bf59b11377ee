import { parseAmocrmSettings, statusTarget } from './amocrm.settings';

describe('amoCRM settings', () => {
  it('are all optional; paid goes to won (142) in the lead’s own pipeline by default', () => {
    const s = parseAmocrmSettings({});
    expect(statusTarget(s, 'paid')).toEqual({ statusId: 142 });
    for (const status of ['failed', 'expired', 'cancelled', 'refunded', 'manual_review'] as const) {
      expect(statusTarget(s, status)).toBeNull();
    }
    expect(statusTarget(s, 'pending')).toBeNull();
  });

  it('map statuses; null turns the paid default off', () => {
    const s = parseAmocrmSettings({
      host: 'shop.amocrm.ru',
      statuses: {
        paid: null,
        refunded: { pipelineId: 7, statusId: 70 },
        failed: { statusId: 143 },
      },
    });
    expect(statusTarget(s, 'paid')).toBeNull();
    expect(statusTarget(s, 'refunded')).toEqual({ pipelineId: 7, statusId: 70 });
    expect(statusTarget(s, 'failed')).toEqual({ statusId: 143 });
  });

  it.each([
    [{ statuses: { refunded: { statusId: '70' } } }, 'settings.statuses.refunded.statusId: '],
    [{ statuses: { created: { statusId: 142 } } }, 'settings.statuses.created: '],
    [{ orderIdField: 0 }, 'settings.orderIdField: '],
    [{ fields: { paidAt: 'x' } }, 'settings.fields.paidAt: '],
    [{ fields: { amount: 5 } }, 'settings.fields.amount: property amount should not exist'],
    [{ createLeads: 'yes' }, 'settings.createLeads: '],
    [{ newLead: { name: '' } }, 'settings.newLead.name: '],
    [{ rateLimit: { capacity: 0, refillPerSecond: 1 } }, 'settings.rateLimit.capacity: '],
    [{ batchSize: 251 }, 'settings.batchSize: '],
    [{ surprise: 1 }, 'settings.surprise: property surprise should not exist'],
    [{ createLeads: true }, 'settings.orderIdField: required when createLeads is true'],
    [
      { statuses: { refunded: { statusId: 70 } } },
      'settings.statuses.refunded.pipelineId: required for status 70',
    ],
  ])('%j is refused naming the field', (raw, message) => {
    expect(() => parseAmocrmSettings(raw)).toThrow(message);
  });
});
