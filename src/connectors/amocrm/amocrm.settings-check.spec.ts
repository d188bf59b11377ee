import { parseAmocrmSettings } from './amocrm.settings';
import { settingsProblems } from './amocrm.settings-check';
import type { AmoCustomField, AmoPipeline } from './amocrm.types';

const pipeline = (id: number, statuses: number[], extra: Partial<AmoPipeline> = {}) => ({
  id,
  name: `P${id}`,
  _embedded: {
    statuses: [
      { id: id * 10, name: 'Неразобранное', type: 1 },
      ...statuses.map((s) => ({ id: s, name: `S${s}`, type: 0 })),
    ],
  },
  ...extra,
});
const pipelines: AmoPipeline[] = [
  pipeline(300, [3001, 3002, 142, 143]),
  pipeline(400, [4001, 142, 143], { is_archive: true }),
];
const fields: AmoCustomField[] = [
  { id: 11, name: 'Order', type: 'text' },
  { id: 12, name: 'Paid at', type: 'date_time' },
  { id: 13, name: 'Kind', type: 'select' },
];
const problems = (raw: Record<string, unknown>) =>
  settingsProblems(parseAmocrmSettings(raw), pipelines, fields);

describe('amoCRM settings against the account', () => {
  it('accept what the account has', () => {
    expect(
      problems({
        orderIdField: 11,
        fields: { paidAt: 12 },
        statuses: { refunded: { pipelineId: 300, statusId: 3002 }, failed: { statusId: 143 } },
        createLeads: true,
        newLead: { pipelineId: 300 },
      }),
    ).toEqual([]);
  });

  it('name each setting the account cannot take', () => {
    expect(
      problems({
        orderIdField: 13,
        fields: { paidAt: 11, providerReference: 99 },
        statuses: {
          refunded: { pipelineId: 300, statusId: 4001 },
          partially_refunded: { pipelineId: 999, statusId: 1 },
          manual_review: { pipelineId: 300, statusId: 3000 },
          expired: { pipelineId: 400, statusId: 4001 },
        },
        createLeads: true,
        newLead: { pipelineId: 998 },
      }),
    ).toEqual([
      'settings.statuses.expired.pipelineId: pipeline 400 is archived',
      'settings.statuses.refunded.statusId: status 4001 is not in pipeline 300',
      'settings.statuses.partially_refunded.pipelineId: no pipeline 999 in the account',
      'settings.statuses.manual_review.statusId: status 3000 ("Неразобранное") is the unsorted stage; leads cannot be moved there',
      'settings.newLead.pipelineId: no pipeline 998 in the account',
      'settings.orderIdField: field 13 ("Kind") is of type select; expected text or textarea or numeric',
      'settings.fields.paidAt: field 11 ("Order") is of type text; expected date_time or date',
      'settings.fields.providerReference: no lead custom field 99 in the account',
    ]);
  });
});
