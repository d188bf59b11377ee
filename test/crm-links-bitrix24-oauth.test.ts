import request from 'supertest';
import { Bitrix24Emulator, startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { consent } from './support/oauth-flow';
import { freePort } from './support/redis-server';
import { startStack, Stack } from './support/stack';
import { adminHeaders, waitFor } from './support/test-hub';

const CLIENT_ID = 'local.links.000001';
const CLIENT_SECRET = 'b24-links-secret';
const TRIGGER = { stageId: 'PREPAYMENT_INVOICE', commentLanguage: 'en' };

describe('payment links from a Bitrix24 app (OAuth): event.bind and its application_token', () => {
  let stack: Stack;
  let b24: Bitrix24Emulator;
  let connectionId: string;
  let handler: string;

  beforeAll(async () => {
    const port = await freePort();
    b24 = await startBitrix24Emulator({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: `http://127.0.0.1:${port}/oauth/bitrix24/callback`,
      autoApprove: true,
      portals: [{ name: 'app' }],
    });
    stack = await startStack({
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      BITRIX24_CLIENT_ID: CLIENT_ID,
      BITRIX24_CLIENT_SECRET: CLIENT_SECRET,
      BITRIX24_OAUTH_SERVER: b24.oauthServerUrl,
      CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port}`,
    });
    handler = `${stack.hub.url}/webhooks/bitrix24`;
  });
  afterAll(async () => {
    await stack?.close();
    await b24?.close();
  });

  const api = () => request(stack.hub.url);
  const connect = async () => {
    const { cookie, callback } = await consent(
      stack.hub,
      `/api/connections/oauth/bitrix24/start?portal=${encodeURIComponent(b24.portal('app').domain)}`,
    );
    const done = await api()
      .get(`/oauth/bitrix24/callback${callback.search}`)
      .set('cookie', cookie);
    expect(done.status).toBe(200);
  };
  const bound = () => b24.eventLog({ portal: 'app' }).bindings.filter((b) => b.handler === handler);
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

  it('binds ONCRMDEALUPDATE when the trigger is saved, and again on every reconnect', async () => {
    await connect();
    const list = await api().get('/api/connections').set(adminHeaders);
    connectionId = (list.body as Array<{ id: string; type: string }>).find(
      (c) => c.type === 'bitrix24',
    )!.id;
    const saved = await api()
      .patch(`/api/connections/${connectionId}`)
      .set(adminHeaders)
      .send({ settings: { paymentLinkTrigger: TRIGGER } });
    expect(saved.status).toBe(200);
    await waitFor(() => Promise.resolve(bound().length === 1), 20000, 'event.bind');
    expect(bound()[0].event).toBe('ONCRMDEALUPDATE');

    // The app was reinstalled (its handlers dropped); the admin reconnects.
    const { access_token } = b24.issueTokens({ portal: 'app' });
    await fetch(`${b24.url}/rest/event.unbind.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: access_token, event: 'ONCRMDEALUPDATE', handler }),
    });
    expect(bound()).toHaveLength(0);
    await connect();
    await waitFor(() => Promise.resolve(bound().length === 1), 20000, 'event.bind again');
  });

  it('learns the app token from an event that proves itself, then refuses any other', async () => {
    const dealId = Number(
      b24.createDeal({ TITLE: 'Desk', OPPORTUNITY: 700, CURRENCY_ID: 'AMD' }, { portal: 'app' }).ID,
    );
    b24.moveDeal(dealId, 'PREPAYMENT_INVOICE', { portal: 'app' });
    await settled();
    const links = await stack.db.ds.query<{ id: string }[]>(
      `SELECT id FROM payment_links WHERE crm->>'bitrix24DealId' = $1`,
      [String(dealId)],
    );
    expect(links).toHaveLength(1);
    const comments = b24.listComments({ portal: 'app', entityId: dealId });
    expect(comments.filter((c) => String(c.COMMENT).includes('vpos-hub link'))).toHaveLength(1);

    const [sent] = b24.eventLog({ portal: 'app' }).sent;
    const forged = sent.body.replace(
      /auth%5Bapplication_token%5D=[0-9a-f]+/,
      'auth%5Bapplication_token%5D=0123456789abcdef0123456789abcdef',
    );
    expect(forged).not.toBe(sent.body);
    const res = await api().post('/webhooks/bitrix24').type('form').send(forged);
    expect(res.status).toBe(401);
  });

  it('clearing the trigger unbinds the handler', async () => {
    const res = await api()
      .patch(`/api/connections/${connectionId}`)
      .set(adminHeaders)
      .send({ settings: {} });
    expect(res.status).toBe(200);
    await waitFor(() => Promise.resolve(bound().length === 0), 20000, 'event.unbind');
  });
});
