import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { ConnectionsService } from '../src/connections/connections.service';
import { AmocrmEmulator, startAmocrmEmulator } from '../sandbox/amocrm/amocrm-emulator';
import { startVposEmulator, VposEmulator } from '../sandbox/vpos/vpos-emulator';
import { killHard, startChildWorker } from './support/child-worker';
import { pay } from './support/delivery-fixtures';
import { consent, credentialsOf } from './support/oauth-flow';
import { freePort } from './support/redis-server';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TEST_VPOS_TOKEN,
  TEST_WEBHOOK_SECRET,
  TestDatabase,
  testEnv,
  TestHub,
  waitFor,
} from './support/test-hub';

const CLIENT_ID = 'amo-connector-tests';
const CLIENT_SECRET = 'amo-connector-tests-secret';
const MARKER = /\[vposhub:[0-9a-f-]{36}\]/;

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  external_id: string | null;
  external_url: string | null;
  last_error: string | null;
  last_error_kind: string | null;
  last_error_code: string | null;
  next_attempt_at: Date;
}

describe('amoCRM connector: payment events into leads, exactly once', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let env: Record<string, string>;
  let vpos: VposEmulator;
  /** A long-lived-token account (cases 1, 2, 5) and an OAuth account (cases 3, 4). */
  let amo: AmocrmEmulator;
  let amoOAuth: AmocrmEmulator;
  const children: ChildProcess[] = [];
  let tokenConn: string;
  let oauthConn: string;
  const field: Record<string, number> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    amo = await startAmocrmEmulator();
    amoOAuth = await startAmocrmEmulator({
      integration: {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUri: `http://127.0.0.1:${port}/oauth/amocrm/callback`,
      },
      autoApprove: true,
    });
    vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: TEST_WEBHOOK_SECRET,
      webhookRetryDelaysMs: [200, 500],
    });
    env = testEnv(db, {
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      VPOS_API_BASE_URL: vpos.url,
      AMOCRM_CLIENT_ID: CLIENT_ID,
      AMOCRM_CLIENT_SECRET: CLIENT_SECRET,
      AMOCRM_AUTHORIZE_URL: `${amoOAuth.url}/oauth`,
      CONNECTOR_INSECURE_HOSTS: `${amo.host},${amoOAuth.host}`,
      SWEEP_INTERVAL_MS: '500',
    });
    hub = await startTestHub(db, env);
    vpos.setWebhookUrl(`${hub.url}/webhooks/vpos`);

    field.orderId = amo.createCustomField({ name: 'Order ID', type: 'text' }).id;
    field.paidAt = amo.createCustomField({ name: 'Paid at', type: 'date_time' }).id;
    field.reference = amo.createCustomField({ name: 'VPOS payment', type: 'text' }).id;
    const res = await request(hub.url)
      .post('/api/connections')
      .set(adminHeaders)
      .send({
        type: 'amocrm',
        mode: 'token',
        displayName: 'Sales',
        settings: {
          host: amo.host,
          orderIdField: field.orderId,
          fields: { paidAt: field.paidAt, providerReference: field.reference },
        },
        credentials: { token: amo.issueLongLivedToken() },
      });
    expect(res.status).toBe(201);
    tokenConn = res.body.id;
  });

  afterAll(async () => {
    for (const c of children.splice(0)) await killHard(c);
    await hub?.close();
    await vpos?.close();
    await amo?.close();
    await amoOAuth?.close();
    await db?.drop();
  });

  const patch = (id: string, body: Record<string, unknown>) =>
    request(hub.url).patch(`/api/connections/${id}`).set(adminHeaders).send(body);
  const deliveriesOf = (orderId: string, connectionId: string) =>
    db.ds.query<DeliveryRow[]>(
      `SELECT * FROM deliveries WHERE order_id = $1 AND connection_id = $2 ORDER BY seq`,
      [orderId, connectionId],
    );
  const until = (orderId: string, connectionId: string, status: string, timeout = 20000) =>
    waitFor(
      async () => {
        const rows = await deliveriesOf(orderId, connectionId);
        return rows.length > 0 && rows.every((r) => r.status === status) ? rows : undefined;
      },
      timeout,
      `deliveries of ${orderId} ${status}`,
    );
  const fieldValue = (emu: AmocrmEmulator, leadId: number, fieldId: number) =>
    emu.getLead(leadId)?.custom_fields_values?.find((f) => f.field_id === fieldId)?.values[0]
      ?.value;
  const leadsWithOrder = (orderId: string) =>
    amo.listLeads().filter((l) => fieldValue(amo, l.id, field.orderId) === orderId);
  const payToLead = (leadId: number) =>
    pay(vpos, { metadata: { crm: { amocrmLeadId: String(leadId) } } });

  it('paid → the lead is won with the price, fields and one note; five replays add nothing', async () => {
    const lead = amo.createLead({ name: 'Ani, sofa' });
    const s = payToLead(lead.id);
    const [row] = await until(s.merchantOrderId, tokenConn, 'delivered');
    expect(row).toMatchObject({
      attempts: 1,
      external_id: String(lead.id),
      external_url: `${amo.url}/leads/detail/${lead.id}`,
    });
    const won = amo.getLead(lead.id)!;
    expect(won).toMatchObject({ status_id: 142, pipeline_id: lead.pipeline_id, price: 12500 });
    expect(fieldValue(amo, lead.id, field.orderId)).toBe(s.merchantOrderId);
    expect(fieldValue(amo, lead.id, field.paidAt)).toEqual(expect.any(Number));
    expect(fieldValue(amo, lead.id, field.reference)).toBe(s.id);
    const notes = amo.listNotes(lead.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ note_type: 'common' });
    expect(notes[0].params.text).toMatch(MARKER);
    expect(notes[0].params.text).toContain('12 500 ֏');

    const leadCount = amo.listLeads().length;
    for (let i = 2; i <= 6; i++) {
      const replay = await request(hub.url)
        .post(`/api/deliveries/${row.id}/replay`)
        .set(adminHeaders);
      expect(replay.status).toBe(202);
      await waitFor(async () => {
        const [r] = await deliveriesOf(s.merchantOrderId, tokenConn);
        return r.attempts >= i && r.status === 'delivered';
      });
    }
    // Paced under amoCRM's 7 requests/s: no replay was refused with 429 and retried.
    expect((await deliveriesOf(s.merchantOrderId, tokenConn))[0].attempts).toBe(6);
    expect(amo.counters().rateLimited).toBe(0);
    expect(amo.listNotes(lead.id)).toHaveLength(1);
    expect(amo.listLeads()).toHaveLength(leadCount);
    expect(amo.getLead(lead.id)).toMatchObject({ status_id: 142, updated_at: won.updated_at });
  });

  it('a lead is found by its order id field when the payment names none', async () => {
    const s = pay(vpos);
    const lead = amo.createLead({
      name: 'from the shop',
      custom_fields_values: [{ field_id: field.orderId, values: [{ value: s.merchantOrderId }] }],
    });
    // A lead whose field merely contains the order id is not it.
    amo.createLead({
      custom_fields_values: [
        { field_id: field.orderId, values: [{ value: `${s.merchantOrderId}-2` }] },
      ],
    });
    const [row] = await until(s.merchantOrderId, tokenConn, 'delivered');
    expect(row.external_id).toBe(String(lead.id));
    expect(amo.getLead(lead.id)).toMatchObject({ status_id: 142, price: 12500 });
    expect(amo.listNotes(lead.id)).toHaveLength(1);
  });

  it('createLeads: no lead → exactly one new lead, even when the call after its POST fails', async () => {
    const pipeline = amo.createPipeline({ name: 'Online payments' });
    const update = await patch(tokenConn, {
      settings: {
        host: amo.host,
        orderIdField: field.orderId,
        createLeads: true,
        newLead: { pipelineId: pipeline.id, name: 'VPOS {orderId}: {amount}' },
      },
    });
    expect(update.status).toBe(200);
    // The lead is created, then the notes request fails: the retry must find that lead.
    amo.injectFaults({ status: 503, method: 'POST', pathIncludes: '/leads/notes' });
    const created = amo.counters().leadsCreated;
    const s = pay(vpos);
    const [row] = await until(s.merchantOrderId, tokenConn, 'delivered', 30000);
    expect(row.attempts).toBe(2);
    expect(amo.counters().leadsCreated - created).toBe(1);
    const [lead] = leadsWithOrder(s.merchantOrderId);
    expect(leadsWithOrder(s.merchantOrderId)).toHaveLength(1);
    expect(lead).toMatchObject({
      name: `VPOS ${s.merchantOrderId}: 12 500 ֏`,
      pipeline_id: pipeline.id,
      status_id: 142,
      price: 12500,
    });
    expect(row.external_id).toBe(String(lead.id));
    expect(amo.listNotes(lead.id)).toHaveLength(1);

    const replay = await request(hub.url)
      .post(`/api/deliveries/${row.id}/replay`)
      .set(adminHeaders);
    expect(replay.status).toBe(202);
    await waitFor(async () => (await deliveriesOf(s.merchantOrderId, tokenConn))[0].attempts === 3);
    await until(s.merchantOrderId, tokenConn, 'delivered');
    expect(leadsWithOrder(s.merchantOrderId)).toHaveLength(1);
    expect(amo.listNotes(lead.id)).toHaveLength(1);
  });

  it('a backlog of 12 events costs a few requests: one lookup, one PATCH, one notes POST', async () => {
    const connections = hub.app.get(ConnectionsService);
    await connections.markNeedsReconnect(tokenConn, 'test: build a backlog');
    const leads = Array.from({ length: 12 }, (_, i) => amo.createLead({ name: `B${i}` }));
    const sessions = leads.map((l) => payToLead(l.id));
    await Promise.all(sessions.map((x) => until(x.merchantOrderId, tokenConn, 'parked')));
    const before = amo.counters();
    await connections.reactivate(tokenConn);
    const rows = await Promise.all(
      sessions.map((x) => until(x.merchantOrderId, tokenConn, 'delivered')),
    );
    const after = amo.counters();
    expect(rows.flat().map((r) => r.external_id)).toEqual(leads.map((l) => String(l.id)));
    expect(after.apiRequests - before.apiRequests).toBeLessThanOrEqual(6);
    expect(after.rateLimited).toBe(0);
    for (const l of leads) {
      expect(amo.getLead(l.id)).toMatchObject({ status_id: 142, price: 12500 });
      expect(amo.listNotes(l.id)).toHaveLength(1);
    }
  });

  it('settings naming an unknown status, pipeline or field are refused with 422', async () => {
    const main = amo.listPipelines().find((p) => p.is_main)!;
    const before = (await request(hub.url).get('/api/connections').set(adminHeaders)).body;
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { statuses: { refunded: { pipelineId: main.id, statusId: 123 } } },
        `settings.statuses.refunded.statusId: status 123 is not in pipeline ${main.id}`,
      ],
      [
        { statuses: { refunded: { pipelineId: 999, statusId: 123 } } },
        'settings.statuses.refunded.pipelineId: no pipeline 999 in the account',
      ],
      [{ orderIdField: 1 }, 'settings.orderIdField: no lead custom field 1 in the account'],
      [
        { fields: { paidAt: field.reference } },
        `settings.fields.paidAt: field ${field.reference} ("VPOS payment") is of type text`,
      ],
      [{ statuses: { created: { statusId: 142 } } }, 'settings.statuses.created'],
      [{ createLeads: true }, 'settings.orderIdField: required when createLeads is true'],
    ];
    for (const [settings, message] of cases) {
      const res = await patch(tokenConn, { settings: { host: amo.host, ...settings } });
      expect(res.status).toBe(422);
      expect(res.body.message).toContain(message);
    }
    const after = (await request(hub.url).get('/api/connections').set(adminHeaders)).body;
    expect(after).toEqual(before);
  });

  describe('OAuth connection', () => {
    beforeAll(async () => {
      expect((await patch(tokenConn, { status: 'disabled' })).status).toBe(200);
      const { cookie, callback } = await consent(hub, '/api/connections/oauth/amocrm/start');
      const done = await request(hub.url)
        .get(`/oauth/amocrm/callback${callback.search}`)
        .set('cookie', cookie);
      expect(done.status).toBe(200);
      oauthConn = (await connectionOfType('oauth')).id;
      // Room for a burst: 20 requests/s from the hub against 50/s at the emulator.
      amoOAuth.setRateLimit(50);
      const res = await patch(oauthConn, {
        settings: { batchSize: 1, rateLimit: { capacity: 20, refillPerSecond: 20 } },
      });
      expect(res.status).toBe(200);
    });

    const connectionOfType = async (mode: string) =>
      (
        (await request(hub.url).get('/api/connections').set(adminHeaders)).body as Array<{
          id: string;
          type: string;
          mode: string;
          status: string;
          statusReason: string | null;
        }>
      ).find((c) => c.type === 'amocrm' && c.mode === mode)!;

    /** n payments held back (parked), then released at once: a burst of concurrent deliveries. */
    const burst = async (n: number, beforeRelease: () => Promise<void>) => {
      const connections = hub.app.get(ConnectionsService);
      await connections.markNeedsReconnect(oauthConn, 'test: hold deliveries back');
      const leads = Array.from({ length: n }, (_, i) => amoOAuth.createLead({ name: `L${i}` }));
      const sessions = leads.map((l) => payToLead(l.id));
      await Promise.all(sessions.map((s) => until(s.merchantOrderId, oauthConn, 'parked', 30000)));
      await beforeRelease();
      const before = amoOAuth.counters();
      await connections.reactivate(oauthConn);
      const rows = await Promise.all(
        sessions.map((s) => until(s.merchantOrderId, oauthConn, 'delivered', 60000)),
      );
      return { leads, rows: rows.flat(), before, after: amoOAuth.counters() };
    };

    const expectAllApplied = (leads: Array<{ id: number }>) => {
      for (const l of leads) {
        expect(amoOAuth.getLead(l.id)).toMatchObject({ status_id: 142, price: 12500 });
        expect(amoOAuth.listNotes(l.id)).toHaveLength(1);
      }
    };

    it('20 concurrent deliveries when the access token has just expired → one refresh, all delivered', async () => {
      // A second worker process: the refresh must be single across processes too.
      children.push(await startChildWorker({ ...env, PORT: '0' }));
      const { leads, rows, before, after } = await burst(20, () => {
        amoOAuth.expireAccessToken();
        return Promise.resolve();
      });
      expect(after.refreshTokenGrants - before.refreshTokenGrants).toBe(1);
      expect(after.tokenErrors - before.tokenErrors).toBe(0);
      expect(after.unauthorized - before.unauthorized).toBeGreaterThanOrEqual(1);
      expect(rows.every((r) => r.attempts === 1 && r.last_error === null)).toBe(true);
      expectAllApplied(leads);
      expect(await connectionOfType('oauth')).toMatchObject({ status: 'active' });
    }, 120000);

    it('20 concurrent deliveries near the stored expiry → one refresh ahead, none refused', async () => {
      const store = credentialsOf(hub, db);
      const { leads, rows, before, after } = await burst(20, async () => {
        const creds = await store.read(oauthConn);
        await store.write(oauthConn, { ...creds, expiresAt: Date.now() + 60_000 });
      });
      expect(after.refreshTokenGrants - before.refreshTokenGrants).toBe(1);
      expect(after.tokenErrors - before.tokenErrors).toBe(0);
      expect(after.unauthorized - before.unauthorized).toBe(0);
      expect(rows.every((r) => r.attempts === 1)).toBe(true);
      expectAllApplied(leads);
    }, 120000);

    it('a blocked account (403 page, at the token endpoint too) → retried much later, not reconnect', async () => {
      const store = credentialsOf(hub, db);
      await store.write(oauthConn, { ...(await store.read(oauthConn)), expiresAt: Date.now() });
      amoOAuth.setBlocked(true);
      const l = amoOAuth.createLead({ name: 'while blocked' });
      const s = payToLead(l.id);
      const [row] = await until(s.merchantOrderId, oauthConn, 'retry_scheduled');
      expect(row).toMatchObject({
        last_error_kind: 'retryable',
        last_error_code: 'ACCOUNT_BLOCKED',
      });
      expect(row.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
      expect(await connectionOfType('oauth')).toMatchObject({ status: 'active' });

      amoOAuth.setBlocked(false);
      const replay = await request(hub.url)
        .post(`/api/deliveries/${row.id}/replay`)
        .set(adminHeaders);
      expect(replay.status).toBe(202);
      await until(s.merchantOrderId, oauthConn, 'delivered');
      expectAllApplied([l]);
    });

    it('a revoked refresh token → needs_reconnect, deliveries parked; new credentials → delivered', async () => {
      for (const c of children.splice(0)) await killHard(c);
      amoOAuth.revokeRefreshToken();
      amoOAuth.expireAccessToken();
      const first = amoOAuth.createLead({ name: 'before reconnect' });
      const s1 = payToLead(first.id);
      await until(s1.merchantOrderId, oauthConn, 'parked');
      const conn = await connectionOfType('oauth');
      expect(conn.status).toBe('needs_reconnect');
      expect(conn.statusReason).toContain('token refresh refused');
      const second = amoOAuth.createLead({ name: 'while disconnected' });
      const s2 = payToLead(second.id);
      await until(s2.merchantOrderId, oauthConn, 'parked');
      expect(amoOAuth.listNotes(first.id)).toHaveLength(0);

      const t = amoOAuth.issueTokens(CLIENT_ID);
      const res = await patch(oauthConn, {
        status: 'active',
        credentials: {
          accessToken: t.access_token,
          refreshToken: t.refresh_token,
          expiresAt: Date.now() + t.expires_in * 1000,
          baseUrl: amoOAuth.url,
        },
      });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('active');
      await until(s1.merchantOrderId, oauthConn, 'delivered');
      await until(s2.merchantOrderId, oauthConn, 'delivered');
      expectAllApplied([first, second]);
    }, 60000);
  });
});
