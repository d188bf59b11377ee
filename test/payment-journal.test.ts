import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import schema from '../schemas/payment-event.v1.schema.json';
import { startVposEmulator, VposEmulator } from '../sandbox/vpos/vpos-emulator';
import { OutboxRelay } from '../src/queue/outbox.relay';
import { sessionBody } from './factories/sessions';
import { journal } from './support/journal-queries';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TEST_VPOS_TOKEN,
  TEST_WEBHOOK_SECRET,
  TestDatabase,
  TestHub,
  waitFor,
} from './support/test-hub';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validateEvent = ajv.compile(schema);

describe('payment journal: VPOS webhooks in, verified payment events out', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let vpos: VposEmulator;
  let j: ReturnType<typeof journal>;

  beforeAll(async () => {
    db = await createTestDatabase();
    vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: TEST_WEBHOOK_SECRET,
      webhookRetryDelaysMs: [200, 500],
    });
    hub = await startTestHub(db, { VPOS_API_BASE_URL: vpos.url });
    vpos.setWebhookUrl(`${hub.url}/webhooks/vpos`);
    j = journal(db.ds);
  });

  afterAll(async () => {
    await hub?.close();
    await vpos?.close();
    await db?.drop();
  });

  const payment = (orderId: string) =>
    request(hub.url)
      .get(`/api/payments/${encodeURIComponent(orderId)}`)
      .set(adminHeaders);
  const statusOf = async (orderId: string) => {
    const res = await payment(orderId);
    return res.status === 200 ? (res.body.status as string) : undefined;
  };
  const settled = () => waitFor(async () => (await j.unprocessed()) === 0, 20000, 'verification');

  it('a signed paid webhook becomes one verified paid event with an audit trail', async () => {
    const session = vpos.createSession(sessionBody());
    const orderId = session.merchantOrderId;
    vpos.setStatus(session.id, 'paid');
    await waitFor(async () => (await statusOf(orderId)) === 'paid', 15000, 'paid');

    const res = await payment(orderId);
    expect(res.body).toMatchObject({
      orderId,
      status: 'paid',
      amountMinor: 1_250_000,
      currency: 'AMD',
      customer: { phone: '+37491234567', id: 'cust-42' },
      crm: { bitrix24DealId: '1001' },
    });
    expect(res.body.attempts).toHaveLength(1);
    expect(res.body.attempts[0]).toMatchObject({
      attemptNo: 1,
      status: 'paid',
      providerPaymentId: session.id,
    });
    expect(res.body.events).toHaveLength(1);
    const event = res.body.events[0];
    expect(event).toMatchObject({
      schemaVersion: 1,
      provider: 'vpos',
      providerPaymentId: session.id,
      orderId,
      type: 'paid',
      previousStatus: 'created',
      orderStatus: 'paid',
      applied: true,
      amountMinor: 1_250_000,
      currency: 'AMD',
      verifiedBy: 'status_lookup',
      mismatches: [],
    });
    expect(validateEvent(event)).toBe(true);

    const audit = await request(hub.url).get(`/api/payments/${orderId}/audit`).set(adminHeaders);
    expect(audit.status).toBe(200);
    const kinds = (audit.body as Array<{ kind: string }>).map((a) => a.kind);
    expect(kinds).toEqual([
      'webhook.received',
      'attempt.created',
      'verification.result',
      'state.transition',
      'state.transition',
    ]);
    expect(audit.body[0].data).toMatchObject({ duplicate: false, signature: 'valid' });
    expect(audit.body[3].data).toMatchObject({ scope: 'attempt', from: 'created', to: 'paid' });
    expect(audit.body[4].data).toMatchObject({ scope: 'order', from: 'created', to: 'paid' });
  });

  it('the same webhook 10 times concurrently gives one event', async () => {
    const session = vpos.createSession(sessionBody());
    const { event } = vpos.setStatus(session.id, 'paid', { webhook: { duplicates: 9 } });
    await vpos.waitForDeliveries();
    await settled();
    const deliveries = vpos.deliveryLog().filter((d) => d.eventId === event.id);
    expect(deliveries.flatMap((d) => d.attempts).filter((a) => a.statusCode === 200).length).toBe(
      10,
    );
    expect(await j.rawEvents(event.id)).toHaveLength(1);
    expect(await j.events(session.merchantOrderId)).toHaveLength(1);
    const received = (await j.audit(session.merchantOrderId)).filter(
      (a) => a.kind === 'webhook.received',
    );
    expect(received).toHaveLength(10);
    expect(received.filter((a) => a.data.duplicate === true)).toHaveLength(9);
    expect(await statusOf(session.merchantOrderId)).toBe('paid');
  });

  it('a late pending after paid is recorded and ignored', async () => {
    const session = vpos.createSession(sessionBody());
    vpos.setStatus(session.id, 'pending', { webhook: { hold: true } });
    vpos.setStatus(session.id, 'paid');
    await waitFor(async () => (await statusOf(session.merchantOrderId)) === 'paid');
    await vpos.flushHeld({ order: 'fifo' });
    await vpos.waitForDeliveries();
    await settled();

    expect(await statusOf(session.merchantOrderId)).toBe('paid');
    const events = await j.events(session.merchantOrderId);
    expect(events.map((e) => [e.type, e.applied, e.payload.claimedStatus])).toEqual([
      ['paid', true, 'paid'],
    ]);
    const ignored = (await j.audit(session.merchantOrderId)).filter(
      (a) => a.kind === 'state.ignored',
    );
    expect(ignored).toHaveLength(1);
    expect(ignored[0].data).toMatchObject({ current: 'paid', proposed: 'paid' });
  });

  it('a pending webhook verified after the payment, then the paid one: one paid event', async () => {
    // The sandbox checkout: opening the page sends pending, paying sends paid; the lookup of the
    // pending webhook already answers paid, so the paid webhook brings nothing new.
    const session = vpos.createSession(sessionBody());
    vpos.setStatus(session.id, 'pending', { webhook: { hold: true } });
    vpos.setStatus(session.id, 'paid', { webhook: { hold: true } });
    await vpos.flushHeld({ order: 'fifo' });
    await vpos.waitForDeliveries();
    await settled();

    const view = (await payment(session.merchantOrderId)).body as {
      status: string;
      events: Array<{ type: string; attemptNo: number; claimedStatus: string }>;
    };
    expect(view.status).toBe('paid');
    expect(view.events.map((e) => [e.type, e.attemptNo, e.claimedStatus])).toEqual([
      ['paid', 1, 'pending'],
    ]);
    const raw = await db.ds.query<Array<{ status: string }>>(
      `SELECT status FROM webhook_events WHERE claimed_order_id = $1`,
      [session.merchantOrderId],
    );
    expect(raw.map((r) => r.status)).toEqual(['verified', 'verified']);
  });

  it('events delivered in reverse order still end in the right state', async () => {
    const session = vpos.createSession(sessionBody());
    vpos.setStatus(session.id, 'pending', { webhook: { hold: true } });
    vpos.setStatus(session.id, 'paid', { webhook: { hold: true } });
    vpos.setStatus(session.id, 'refunded', { webhook: { hold: true } });
    await vpos.flushHeld({ order: 'reverse' });
    await vpos.waitForDeliveries();
    await settled();
    expect(await statusOf(session.merchantOrderId)).toBe('refunded');
  });

  it('an amount that differs from the lookup goes to manual_review, never paid', async () => {
    const session = vpos.createSession(sessionBody());
    vpos.setStatus(session.id, 'paid', { webhook: { suppress: true } });
    const res = await vpos.sendRaw({
      id: `evt_tampered_${session.id}`,
      type: 'payment.paid',
      createdAt: new Date().toISOString(),
      data: {
        id: session.id,
        merchantOrderId: session.merchantOrderId,
        amountMinor: 100,
        currency: 'AMD',
        status: 'paid',
      },
    });
    expect(res.status).toBe(200);
    await settled();
    expect(await statusOf(session.merchantOrderId)).toBe('manual_review');
    const [event] = await j.events(session.merchantOrderId);
    expect(event.type).toBe('manual_review');
    expect(event.payload.mismatches).toEqual([
      { field: 'amountMinor', source: 'webhook', expected: 1_250_000, actual: 100 },
    ]);
  });

  it('a currency that differs from our own record goes to manual_review', async () => {
    const session = vpos.createSession(sessionBody({ currency: 'USD', amountMinor: 5000 }));
    // Our record (as a payment link would have made it) says AMD.
    await db.ds.query(
      `INSERT INTO payment_orders (order_id, status, amount_minor, currency) VALUES ($1, 'created', 5000, 'AMD')`,
      [session.merchantOrderId],
    );
    vpos.setStatus(session.id, 'paid');
    await vpos.waitForDeliveries();
    await settled();
    expect(await statusOf(session.merchantOrderId)).toBe('manual_review');
    const [event] = await j.events(session.merchantOrderId);
    expect(event.payload.mismatches).toEqual([
      { field: 'currency', source: 'record', expected: 'AMD', actual: 'USD' },
    ]);
  });

  it('a session VPOS does not know goes to manual_review', async () => {
    const orderId = `ord-ghost-${Date.now()}`;
    const res = await vpos.sendRaw({
      id: `evt_ghost_${Date.now()}`,
      type: 'payment.paid',
      createdAt: new Date().toISOString(),
      data: {
        id: 'ps_does_not_exist',
        merchantOrderId: orderId,
        amountMinor: 500,
        currency: 'AMD',
        status: 'paid',
      },
    });
    expect(res.status).toBe(200);
    await settled();
    expect(await statusOf(orderId)).toBe('manual_review');
  });

  it("a customer's retry after a failure is a new attempt on the same order", async () => {
    const first = vpos.createSession(sessionBody());
    vpos.setStatus(first.id, 'failed');
    await waitFor(async () => (await statusOf(first.merchantOrderId)) === 'failed');
    const second = vpos.createSession(sessionBody({ merchantOrderId: first.merchantOrderId }));
    vpos.setStatus(second.id, 'paid');
    await waitFor(async () => (await statusOf(first.merchantOrderId)) === 'paid');
    const res = await payment(first.merchantOrderId);
    expect(
      res.body.attempts.map((a: { attemptNo: number; status: string }) => [a.attemptNo, a.status]),
    ).toEqual([
      [1, 'failed'],
      [2, 'paid'],
    ]);
  });

  it('a raw event whose job vanished (Redis lost its data) is re-queued and verified', async () => {
    const session = vpos.createSession(sessionBody());
    const { event } = vpos.setStatus(session.id, 'paid', { webhook: { suppress: true } });
    // Stored ten minutes ago, with no outbox row and no job: as after a Redis restart.
    await db.ds.query(
      `INSERT INTO webhook_events (provider, provider_event_id, claimed_order_id, raw_body, received_at)
       VALUES ('vpos', $1, $2, $3, now() - interval '10 minutes')`,
      [event.id, session.merchantOrderId, JSON.stringify(event)],
    );
    expect(await hub.app.get(OutboxRelay).requeueStale()).toBe(1);
    await waitFor(async () => (await statusOf(session.merchantOrderId)) === 'paid');
    expect(await hub.app.get(OutboxRelay).requeueStale()).toBe(0);
  });

  describe('refused webhooks: specific 4xx, nothing stored as verified', () => {
    const body = {
      id: 'evt_refused',
      type: 'payment.paid',
      createdAt: new Date().toISOString(),
      data: {
        id: 'ps_x',
        merchantOrderId: 'ord-refused',
        amountMinor: 100,
        currency: 'AMD',
        status: 'paid',
      },
    };

    it.each([
      ['no signature', { sign: false }, 401, 'signature'],
      [
        'wrong secret',
        { secret: `whsec_${Buffer.from('another-secret-of-32-bytes-long!').toString('base64')}` },
        401,
        'signature',
      ],
      [
        'stale timestamp',
        { timestamp: Math.floor(Date.now() / 1000) - 3600 },
        401,
        'webhook-timestamp',
      ],
      [
        'future timestamp',
        { timestamp: Math.floor(Date.now() / 1000) + 3600 },
        401,
        'webhook-timestamp',
      ],
    ])('%s → %i', async (_name, opts, status, field) => {
      const before = await j.rejected();
      const res = await vpos.sendRaw(body, opts);
      expect(res.status).toBe(status);
      expect(JSON.parse(res.body)).toMatchObject({
        statusCode: status,
        message: expect.stringContaining(field),
      });
      expect(await j.rawEvents('evt_refused')).toHaveLength(0);
      // Counted per source and interval, not stored per request (see webhook-intake-hardening).
      const after = await j.rejected();
      expect(after.length).toBeGreaterThanOrEqual(1);
      expect(after.length).toBeLessThanOrEqual(before.length + 1);
      expect(after[0].data).toMatchObject({ source: '127.0.0.1', count: 1 });
    });

    it('malformed JSON → 400', async () => {
      const res = await request(hub.url)
        .post('/webhooks/vpos')
        .set('content-type', 'application/json')
        .send('{"id": "evt_bad",');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        message: expect.stringContaining('body'),
      });
      expect(typeof res.body.requestId).toBe('string');
    });

    it('a body over 256 KB → 413', async () => {
      const big = JSON.stringify({ id: 'evt_big', pad: 'x'.repeat(300 * 1024) });
      const res = await request(hub.url)
        .post('/webhooks/vpos')
        .set('content-type', 'application/json')
        .send(big);
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ statusCode: 413, requestId: expect.any(String) });
      expect(await j.rawEvents('evt_big')).toHaveLength(0);
    });

    it('nothing refused reached the journal', async () => {
      expect(await j.rawEvents('evt_refused')).toHaveLength(0);
      expect(await statusOf('ord-refused')).toBeUndefined();
    });
  });

  it('admin routes need the bearer token', async () => {
    const res = await request(hub.url).get('/api/payments/anything');
    expect(res.status).toBe(401);
    const wrong = await request(hub.url)
      .get('/api/payments/anything')
      .set('authorization', 'Bearer nope');
    expect(wrong.status).toBe(401);
  });
});
