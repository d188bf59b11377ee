import { AmocrmLinkSource } from './amocrm.link-source';
import { linkTriggerProblems } from './amocrm.trigger';
import type { AmoCustomField, AmoPipeline } from './amocrm.types';

const pipelines: AmoPipeline[] = [
  {
    id: 10,
    name: 'Sales',
    _embedded: {
      statuses: [
        { id: 1, name: 'Unsorted', type: 1 },
        { id: 2, name: 'Awaiting payment', type: 0 },
        { id: 142, name: 'Won', type: 0 },
      ],
    },
  },
];
const fields = [
  { id: 5, name: 'Link', type: 'textarea' },
  { id: 6, name: 'Paid', type: 'date' },
] as AmoCustomField[];

describe('amoCRM payment-link trigger', () => {
  it('needs an open status of an existing pipeline and a text field', () => {
    expect(
      linkTriggerProblems({ pipelineId: 10, statusId: 2, linkFieldId: 5 }, pipelines, fields),
    ).toEqual([]);
    expect(linkTriggerProblems({ pipelineId: 10, statusId: 142 }, pipelines, fields)).toEqual([
      'settings.paymentLinkTrigger.statusId: 142 is not an open status of pipeline 10 (2 Awaiting payment)',
    ]);
    expect(
      linkTriggerProblems({ pipelineId: 11, statusId: 2, linkFieldId: 6 }, pipelines, fields),
    ).toEqual([
      'settings.paymentLinkTrigger.pipelineId: no active pipeline 11 in the account',
      'settings.paymentLinkTrigger.linkFieldId: no text lead custom field 6 in the account',
    ]);
  });

  it('reads a status webhook: lead, status, account; names a bad field', () => {
    const source = new AmocrmLinkSource(undefined as never);
    const body = {
      leads: { status: [{ id: '77', status_id: '2', pipeline_id: '10', last_modified: '9' }] },
      account: { id: '31337', subdomain: 'shop' },
    };
    expect(source.parseInbound(body)).toEqual({
      eventType: 'status_lead',
      items: [{ entityId: '77', dedupKey: '31337:77:2:10:9' }],
      accountIds: ['id:31337'],
    });
    const two = {
      ...body,
      leads: { status: [...body.leads.status, { id: '78', status_id: '3' }] },
    };
    expect(source.parseInbound(two).items.map((i) => i.entityId)).toEqual(['77', '78']);
    expect(() =>
      source.parseInbound({ ...body, leads: { status: [body.leads.status[0], { id: 'x' }] } }),
    ).toThrow('leads[status][1][id]');
    expect(() => source.parseInbound({ ...body, account: {} })).toThrow('account[id]');
    expect(() => source.parseInbound({ account: body.account })).toThrow('leads[status][0][id]');
  });
});
