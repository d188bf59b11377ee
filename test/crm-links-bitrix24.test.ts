import request from 'supertest';
import { Bitrix24Emulator, startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { startStack, Stack } from './support/stack';
import { adminHeaders, waitFor } from './support/test-hub';

const TOKEN = 'outgoing-hook-token-0123456789ab';
const TRIGGER = {
  stageId: 'PREPAYMENT_INVOICE',
  linkField: 'UF_CRM_PAY_LINK',
  commentLanguage: 'en',
};

interface LinkRow {
  id: string;
  order_id: string;
  status: string;
  provider_session_id: string | null;
  url: string | null;
  customer: { phone?: string };
  crm: Record<string, string>;
}

describe('payment links from Bitrix24 deals', () => {
  let stack: Stack;
  let b24: Bitrix24Emulator;
  let connectionId: string;

  beforeAll(async () => {
    b24 = await startBitrix24Emulator({
      bucketCapacity: 1000,
      bucketDrainPerSecond: 100,
      portals: [
        { name: 'main' },
        {
          name: 'shop',
          userFields: [{ fieldName: 'PAY_LINK' }],
          webhooks: [{ code: 'hookshop1' }],
        },
      ],
    });
    stack = await startStack({ CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port}` });
    b24.setOutgoingWebhook(
      { handler: `${stack.hub.url}/webhooks/bitrix24`, applicationToken: TOKEN },
      { portal: 'shop' },
    );
  });
  afterAll(async () => {
    await stack?.close();
    await b24?.close();
  });

  const api = () => request(stack.hub.url);
  const connect = (settings: Record<string, unknown>) =>
    api()
      .post('/api/connections')
      .set(adminHeaders)
      .send({
        type: 'bitrix24',
        mode: 'webhook',
        displayName: 'shop',
        credentials: { webhookUrl: b24.portal('shop').webhooks[0].url, applicationToken: TOKEN },
        settings,
      });
  const linksOf = (dealId: number) =>
    stack.db.ds.query<LinkRow[]>(
      `SELECT id, order_id, status, provider_session_id, url, customer, crm FROM payment_links
       WHERE crm->>'bitrix24DealId' = $1 ORDER BY created_at`,
      [String(dealId)],
    );
  const comments = (dealId: number) =>
    b24.listComments({ portal: 'shop', entityId: dealId }).map((c) => String(c.COMMENT));
  /** Every event the portal sent has been answered and worked off. */
  const settled = async () => {
    await b24.eventsSettled();
    await waitFor(
      async () => {
        const [row] = await stack.db.ds.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM crm_events WHERE status = 'received'`,
        );
        return row.n === 0;
      },
      30000,
      'crm events processed',
    );
  };
  const newDeal = (fields: Record<string, unknown>) => {
    const contact = b24.createContact({ name: 'Ani', phone: '+37491234567' }, { portal: 'shop' });
    return Number(
      b24.createDeal({ STAGE_ID: 'NEW', CONTACT_IDS: [contact], ...fields }, { portal: 'shop' }).ID,
    );
  };

  it('refuses bad trigger settings at save, naming the field', async () => {
    const stage = await connect({ paymentLinkTrigger: { ...TRIGGER, stageId: 'AWAITING' } });
    expect(stage.status).toBe(422);
    expect(stage.body.message).toContain('settings.paymentLinkTrigger.stageId: unknown stage');
    const field = await connect({
      paymentLinkTrigger: { ...TRIGGER, linkField: 'UF_CRM_MISSING' },
    });
    expect(field.status).toBe(422);
    expect(field.body.message).toContain('settings.paymentLinkTrigger.linkField');
    const shape = await connect({ paymentLinkTrigger: { stageId: 'not a stage', maxAmount: -1 } });
    expect(shape.status).toBe(422);
    expect(shape.body.message).toMatch(/settings\.paymentLinkTrigger\.stageId: must be a stage/);
    expect(shape.body.message).toContain('settings.paymentLinkTrigger.maxAmount');

    const ok = await connect({ paymentLinkTrigger: TRIGGER });
    expect(ok.status).toBe(201);
    connectionId = ok.body.id;
  });

  it('a deal moved to the trigger stage gets exactly one link, written back once', async () => {
    const dealId = newDeal({ TITLE: 'Sofa', OPPORTUNITY: 12500, CURRENCY_ID: 'AMD' });
    b24.moveDeal(dealId, 'PREPAYMENT_INVOICE', { portal: 'shop' });
    await settled();
    // The same event arrives twice more, then the deal goes out of the stage and back in.
    const sent = b24
      .eventLog({ portal: 'shop' })
      .sent.filter((e) => e.body.includes(`data%5BFIELDS%5D%5BID%5D=${dealId}&`));
    const first = sent[0];
    expect(first.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const again = await api().post('/webhooks/bitrix24').type('form').send(first.body);
      expect([again.status, again.body.status]).toEqual([200, 'duplicate']);
    }
    b24.moveDeal(dealId, 'EXECUTING', { portal: 'shop' });
    b24.moveDeal(dealId, 'PREPAYMENT_INVOICE', { portal: 'shop' });
    await settled();

    const links = await linksOf(dealId);
    expect(links).toHaveLength(1);
    const [link] = links;
    expect(link).toMatchObject({
      status: 'active',
      customer: { phone: '+37491234567' },
      crm: { bitrix24DealId: String(dealId) },
    });
    expect(link.order_id).toMatch(new RegExp(`^b24-[0-9a-f]{10}-${dealId}$`));
    const notes = comments(dealId).filter((c) => c.includes('vpos-hub link'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(link.url!);
    expect(notes[0]).toContain('https://wa.me/37491234567?text=');
    const deal = b24.getDeal(dealId, { portal: 'shop' })!;
    expect(String(deal.UF_CRM_PAY_LINK)).toContain(link.url!);
    expect(String(deal.UF_CRM_PAY_LINK)).toContain('12 500');

    stack.vpos.setStatus(link.provider_session_id!, 'paid');
    await waitFor(
      () => Promise.resolve(b24.getDeal(dealId, { portal: 'shop' })!.STAGE_ID === 'WON'),
      30000,
      'the deal won',
    );
    await settled();
    expect(await linksOf(dealId)).toHaveLength(1);
  });

  it('a forged event (wrong application_token) or an unknown portal changes nothing', async () => {
    const dealId = newDeal({ TITLE: 'Chair', OPPORTUNITY: 900, CURRENCY_ID: 'AMD' });
    const before = await stack.db.ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM crm_events`,
    );
    const domain = b24.portal('shop').domain;
    const forged = {
      event: 'ONCRMDEALUPDATE',
      'data[FIELDS][ID]': String(dealId + 1000),
      ts: '1700000000',
      'auth[domain]': domain,
      'auth[member_id]': b24.portal('shop').memberId,
      'auth[application_token]': 'not-the-token',
    };
    const wrong = await api().post('/webhooks/bitrix24').type('form').send(forged);
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toContain('auth[application_token]');
    const stranger = await api()
      .post('/webhooks/bitrix24')
      .type('form')
      .send({
        ...forged,
        'auth[domain]': 'other.bitrix24.com',
        'auth[member_id]': 'f'.repeat(32),
        'auth[application_token]': TOKEN,
      });
    expect(stranger.status).toBe(403);
    const malformed = await api()
      .post('/webhooks/bitrix24')
      .type('form')
      .send({ ...forged, 'data[FIELDS][ID]': 'x' });
    expect([malformed.status, malformed.body.message]).toEqual([
      400,
      expect.stringContaining('data[FIELDS][ID]'),
    ]);
    const huge = await api()
      .post('/webhooks/bitrix24')
      .type('form')
      .send({ ...forged, 'data[FIELDS][TITLE]': 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
    const after = await stack.db.ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM crm_events`,
    );
    expect(after[0].n).toBe(before[0].n);
    expect(await linksOf(dealId + 1000)).toHaveLength(0);
  });

  it('a deal with no amount gets one comment saying why, and no link', async () => {
    const dealId = newDeal({ TITLE: 'Lamp', CURRENCY_ID: 'AMD' });
    b24.moveDeal(dealId, 'PREPAYMENT_INVOICE', { portal: 'shop' });
    await settled();
    b24.moveDeal(dealId, 'NEW', { portal: 'shop' });
    b24.moveDeal(dealId, 'PREPAYMENT_INVOICE', { portal: 'shop' });
    await settled();
    expect(await linksOf(dealId)).toHaveLength(0);
    expect(comments(dealId)).toEqual([
      'No payment link was made for this deal: the deal has no amount.',
    ]);
  });

  it('after a cancelled link, a changed amount makes a new attempt on a new order', async () => {
    const dealId = newDeal({ TITLE: 'Bed', OPPORTUNITY: 300, CURRENCY_ID: 'AMD' });
    b24.moveDeal(dealId, 'PREPAYMENT_INVOICE', { portal: 'shop' });
    await settled();
    const [first] = await linksOf(dealId);
    const cancel = await api().post(`/api/payment-links/${first.id}/cancel`).set(adminHeaders);
    expect(cancel.status).toBe(200);
    const hook = b24.portal('shop').webhooks[0].url;
    const res = await fetch(`${hook}crm.deal.update.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: dealId, fields: { OPPORTUNITY: 450 } }),
    });
    expect(res.status).toBe(200);
    await settled();
    const links = await linksOf(dealId);
    expect(links.map((l) => [l.order_id, l.status])).toEqual([
      [first.order_id, 'cancelled'],
      [`${first.order_id}-2`, 'active'],
    ]);
    expect(comments(dealId).filter((c) => c.includes('vpos-hub link'))).toHaveLength(2);

    // Cancelled again: an edit in the stage makes nothing; out and back in makes a new attempt.
    const second = (await linksOf(dealId))[1];
    await api().post(`/api/payment-links/${second.id}/cancel`).set(adminHeaders).expect(200);
    await fetch(`${hook}crm.deal.update.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: dealId, fields: { TITLE: 'Bed, king size' } }),
    });
    await settled();
    expect(await linksOf(dealId)).toHaveLength(2);
    // Out and back in at once: the deal's MOVED_TIME tells, whenever the event is worked.
    b24.advanceClock(2000);
    b24.moveDeal(dealId, 'EXECUTING', { portal: 'shop' });
    b24.moveDeal(dealId, 'PREPAYMENT_INVOICE', { portal: 'shop' });
    await settled();
    expect((await linksOf(dealId)).map((l) => [l.order_id, l.status])).toEqual([
      [first.order_id, 'cancelled'],
      [`${first.order_id}-2`, 'cancelled'],
      [`${first.order_id}-2`, 'active'],
    ]);
  });

  it('clearing the trigger stops links', async () => {
    const res = await api()
      .patch(`/api/connections/${connectionId}`)
      .set(adminHeaders)
      .send({ settings: {} });
    expect([res.status, res.body.message]).toEqual([200, undefined]);
    const dealId = newDeal({ TITLE: 'Rug', OPPORTUNITY: 100, CURRENCY_ID: 'AMD' });
    b24.moveDeal(dealId, 'PREPAYMENT_INVOICE', { portal: 'shop' });
    await settled();
    expect(await linksOf(dealId)).toHaveLength(0);
    expect(comments(dealId)).toEqual([]);
  });
});
