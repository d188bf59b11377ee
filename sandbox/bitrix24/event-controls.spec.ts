import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBitrix24Emulator, type Bitrix24Emulator } from './bitrix24-emulator';
import { parsePhpQuery } from './php-values';

describe('Bitrix24 emulator: deal events', () => {
  let b24: Bitrix24Emulator;
  let receiver: http.Server;
  let handler: string;
  const received: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    b24 = await startBitrix24Emulator({
      portals: [{ name: 'shop', webhooks: [{ code: 'hook1' }] }],
    });
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
        received.push(parsePhpQuery(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    handler = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await b24.close();
    await new Promise((r) => receiver.close(r));
  });

  const rest = async (base: string, method: string, params: object) => {
    const res = await fetch(`${base}${method}.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('event.bind needs app auth; a bound handler gets ONCRMDEALUPDATE with the app token', async () => {
    const hook = b24.portal('shop').webhooks[0].url;
    const refused = await rest(hook, 'event.bind', { event: 'ONCRMDEALUPDATE', handler });
    expect([refused.status, refused.body.error]).toEqual([401, 'WRONG_AUTH_TYPE']);

    const { access_token, client_endpoint } = b24.issueTokens({ portal: 'shop' });
    const bound = await rest(client_endpoint, 'event.bind', {
      auth: access_token,
      event: 'onCrmDealUpdate',
      handler,
    });
    expect(bound.body.result).toBe(true);
    const again = await rest(client_endpoint, 'event.bind', {
      auth: access_token,
      event: 'ONCRMDEALUPDATE',
      handler,
    });
    expect(again.status).toBe(400);
    const listed = await rest(client_endpoint, 'event.get', { auth: access_token });
    expect(listed.body.result).toEqual([
      { event: 'ONCRMDEALUPDATE', handler, auth_type: '0', offline: 0 },
    ]);

    const contact = b24.createContact({ phone: '+37491234567' }, { portal: 'shop' });
    const deal = b24.createDeal({ TITLE: 'Sofa', CONTACT_IDS: [contact] }, { portal: 'shop' });
    b24.moveDeal(Number(deal.ID), 'EXECUTING', { portal: 'shop' });
    await b24.eventsSettled();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      event: 'ONCRMDEALUPDATE',
      data: { FIELDS: { ID: String(deal.ID) } },
      auth: {
        domain: b24.portal('shop').domain,
        member_id: b24.portal('shop').memberId,
        application_token: b24.applicationToken({ portal: 'shop' }),
      },
    });
    expect(typeof (received[0].auth as Record<string, unknown>).access_token).toBe('string');

    const items = await rest(client_endpoint, 'crm.deal.contact.items.get', {
      auth: access_token,
      id: deal.ID,
    });
    expect(items.body.result).toEqual([
      { CONTACT_ID: contact, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
    ]);
    const person = await rest(client_endpoint, 'crm.contact.get', {
      auth: access_token,
      id: contact,
    });
    expect(person.body.result).toMatchObject({
      PHONE: [{ VALUE: '+37491234567', TYPE_ID: 'PHONE' }],
    });
  });

  it('the outgoing webhook carries its own token and no access token', async () => {
    received.length = 0;
    const { applicationToken } = b24.setOutgoingWebhook({ handler }, { portal: 'shop' });
    const deal = b24.createDeal({ TITLE: 'Chair' }, { portal: 'shop' });
    b24.moveDeal(Number(deal.ID), 'EXECUTING', { portal: 'shop' });
    await b24.eventsSettled();
    const outgoing = received.find(
      (e) => (e.auth as Record<string, unknown>).application_token === applicationToken,
    );
    expect(outgoing).toBeDefined();
    expect((outgoing!.auth as Record<string, unknown>).access_token).toBeUndefined();
  });
});
