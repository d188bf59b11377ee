import { StageCatalog } from './bitrix24.catalog';
import { Bitrix24LinkSource } from './bitrix24.link-source';
import { parseBitrix24Settings } from './bitrix24.settings';
import { linkTriggerProblems, triggerStageFor } from './bitrix24.trigger';

describe('Bitrix24 payment-link trigger', () => {
  it('means the stage in the deal’s own pipeline unless a pipeline is named', () => {
    expect(triggerStageFor('PREPAYMENT_INVOICE', 0)).toBe('PREPAYMENT_INVOICE');
    expect(triggerStageFor('PREPAYMENT_INVOICE', 3)).toBe('C3:PREPAYMENT_INVOICE');
    expect(triggerStageFor('C2:UC_AB12', 3)).toBe('C2:UC_AB12');
  });

  it('refuses malformed settings and what the portal lacks, naming the field', () => {
    expect(() => parseBitrix24Settings({ paymentLinkTrigger: { stageId: 'a b' } })).toThrow(
      /settings\.paymentLinkTrigger\.stageId: must be a stage id/,
    );
    expect(() =>
      parseBitrix24Settings({ paymentLinkTrigger: { stageId: 'NEW', extra: 1 } }),
    ).toThrow(/settings\.paymentLinkTrigger\.extra/);
    const catalog = new StageCatalog(
      new Map([[0, { id: 0, name: 'General', stages: ['NEW', 'WON'], won: 'WON' }]]),
    );
    expect(
      linkTriggerProblems({ stageId: 'AWAIT', linkField: 'UF_CRM_X' }, { TITLE: {} }, catalog),
    ).toEqual([
      'settings.paymentLinkTrigger.stageId: unknown stage "AWAIT" (this portal has NEW, WON)',
      'settings.paymentLinkTrigger.linkField: UF_CRM_X is not a deal field on this portal',
    ]);
    expect(linkTriggerProblems({ stageId: 'NEW' }, {}, catalog)).toEqual([]);
  });
});

describe('Bitrix24 deal events', () => {
  const source = new Bitrix24LinkSource(undefined as never, undefined as never);
  const event = {
    event: 'ONCRMDEALUPDATE',
    data: { FIELDS: { ID: '759' } },
    ts: '1736405807',
    auth: { domain: 'Shop.Bitrix24.com', member_id: 'A223', application_token: 't0k' },
  };

  it('reads the deal id, the portal and the token; the dedup key is the event', () => {
    expect(source.parseInbound(event)).toEqual({
      eventType: 'ONCRMDEALUPDATE',
      items: [{ entityId: '759', dedupKey: 'a223:ONCRMDEALUPDATE:759:1736405807' }],
      accountIds: ['a223', 'shop.bitrix24.com'],
      applicationToken: 't0k',
    });
  });

  it('names the missing or bad field', () => {
    expect(() => source.parseInbound({ ...event, data: { FIELDS: { ID: '7;1' } } })).toThrow(
      'data[FIELDS][ID]',
    );
    expect(() => source.parseInbound({ ...event, auth: { domain: 'x' } })).toThrow(
      'auth[application_token]',
    );
    expect(() => source.parseInbound({ data: event.data })).toThrow('event: required');
  });
});
