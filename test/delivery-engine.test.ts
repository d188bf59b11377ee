import request from 'supertest';
import { ConnectionsService } from '../src/connections/connections.service';
import type { VposEmulator } from '../sandbox/vpos/vpos-emulator';
import type { WebhookReceiver } from '../sandbox/webhook-receiver/webhook-receiver';
import { startStack, Stack } from './support/stack';
import { sessionBody } from './factories/sessions';
import { addWebhookConnection, pay, RECEIVER_SECRET } from './support/delivery-fixtures';
import { adminHeaders, TestDatabase, TestHub, waitFor } from './support/test-hub';

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  last_error_kind: string | null;
  connection_id: string;
}

describe('delivery engine: exactly-once effects over at-least-once queues', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let vpos: VposEmulator;
  let receiver: WebhookReceiver;

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      SWEEP_INTERVAL_MS: '500',
    });
    ({ db, hub, vpos, receiver } = stack);
  });
  afterAll(() => stack?.close());

  const deliveriesOf = (orderId: string, connectionId?: string) =>
    db.ds.query<DeliveryRow[]>(
      `SELECT * FROM deliveries WHERE order_id = $1 ${connectionId ? 'AND connection_id = $2' : ''} ORDER BY seq`,
      connectionId ? [orderId, connectionId] : [orderId],
    );
  const until = (orderId: string, status: string, connectionId?: string, timeout = 20000) =>
    waitFor(
      async () => {
        const rows = await deliveriesOf(orderId, connectionId);
        return rows.length > 0 && rows.every((r) => r.status === status) ? rows : undefined;
      },
      timeout,
      `deliveries of ${orderId} ${status}`,
    );
  const attemptsAudit = async (orderId: string) =>
    (
      await db.ds.query<{ data: Record<string, unknown> }[]>(
        `SELECT data FROM audit_log WHERE order_id = $1 AND kind = 'delivery.attempt' ORDER BY id`,
        [orderId],
      )
    ).map((r) => r.data);

  let connectionId: string;
  beforeAll(async () => {
    connectionId = (await addWebhookConnection(hub, receiver)).id;
  });

  it('a paid event is delivered once, with the effect, audit and order view', async () => {
    const s = pay(vpos);
    const [row] = await until(s.merchantOrderId, 'delivered');
    expect(receiver.eventsFor(s.merchantOrderId).map((e) => e.event.type)).toEqual(['paid']);
    const audit = await attemptsAudit(s.merchantOrderId);
    expect(audit).toEqual([
      expect.objectContaining({
        deliveryId: row.id,
        connectionId,
        destination: 'webhook',
        attempt: 1,
        outcome: 'delivered',
        externalId: expect.stringMatching(/^rec-/),
        durationMs: expect.any(Number),
      }),
    ]);
    const view = await request(hub.url).get(`/api/payments/${s.merchantOrderId}`).set(adminHeaders);
    expect(view.body.deliveries).toEqual([
      expect.objectContaining({ id: row.id, status: 'delivered', connectionId, attempts: 1 }),
    ]);
  });

  it('retryable failures (503, then 429 with Retry-After) then success → delivered once', async () => {
    receiver.failNext(1, { status: 503 });
    receiver.failNext(1, { status: 429, retryAfterSeconds: 1 });
    const s = pay(vpos);
    const [row] = await until(s.merchantOrderId, 'delivered', undefined, 30000);
    expect(row.attempts).toBe(3);
    expect(receiver.eventsFor(s.merchantOrderId)).toHaveLength(1);
    const audit = await attemptsAudit(s.merchantOrderId);
    expect(
      audit.map((a) => [a.attempt, a.outcome, a.errorClass ?? null, a.errorCode ?? null]),
    ).toEqual([
      [1, 'retry_scheduled', 'retryable', 'HTTP_503'],
      [2, 'retry_scheduled', 'retryable', 'HTTP_429'],
      [3, 'delivered', null, null],
    ]);
  });

  it('permanent failure → dead with the reason; replay after a fix → delivered once', async () => {
    receiver.failNext(1, { status: 422, body: '{"error":"orderId is not known here"}' });
    const s = pay(vpos);
    const [dead] = await until(s.merchantOrderId, 'dead');
    expect(dead).toMatchObject({ last_error_kind: 'permanent', attempts: 1 });
    const list = await request(hub.url).get('/api/deliveries?status=dead').set(adminHeaders);
    expect(list.status).toBe(200);
    expect(list.body.map((d: { id: string }) => d.id)).toContain(dead.id);

    const replay = await request(hub.url)
      .post(`/api/deliveries/${dead.id}/replay`)
      .set(adminHeaders);
    expect(replay.status).toBe(202);
    await until(s.merchantOrderId, 'delivered');
    expect(receiver.eventsFor(s.merchantOrderId)).toHaveLength(1);
    const kinds = await db.ds.query<{ kind: string }[]>(
      `SELECT kind FROM audit_log WHERE order_id = $1 AND kind LIKE 'delivery.%' ORDER BY id`,
      [s.merchantOrderId],
    );
    expect(kinds.map((k) => k.kind)).toEqual([
      'delivery.attempt',
      'delivery.replay',
      'delivery.attempt',
    ]);
  });

  it('auth failure → connection needs reconnect, deliveries parked; reconnect → delivered', async () => {
    receiver.setAuthFailing(true);
    const first = pay(vpos);
    await until(first.merchantOrderId, 'parked', connectionId);
    const conn = await hub.app.get(ConnectionsService).get(connectionId);
    expect(conn.status).toBe('needs_reconnect');
    // New events wait too: parked at birth, not dead, not lost.
    const second = pay(vpos);
    await until(second.merchantOrderId, 'parked', connectionId);

    receiver.setAuthFailing(false);
    await hub.app.get(ConnectionsService).reactivate(connectionId, { secret: RECEIVER_SECRET });
    await until(first.merchantOrderId, 'delivered', connectionId);
    await until(second.merchantOrderId, 'delivered', connectionId);
    expect(receiver.eventsFor(first.merchantOrderId)).toHaveLength(1);
    expect(receiver.eventsFor(second.merchantOrderId)).toHaveLength(1);
  });

  it('events of one order are applied in state order even when the first one must retry', async () => {
    const s = vpos.createSession(sessionBody());
    receiver.failNext(1, { status: 503 });
    vpos.setStatus(s.id, 'pending');
    await waitFor(async () => (await deliveriesOf(s.merchantOrderId)).length === 1);
    vpos.setStatus(s.id, 'paid');
    await waitFor(async () => (await deliveriesOf(s.merchantOrderId)).length === 2);
    vpos.setStatus(s.id, 'refunded');
    await waitFor(async () => (await deliveriesOf(s.merchantOrderId)).length === 3);
    await until(s.merchantOrderId, 'delivered', undefined, 30000);
    expect(receiver.eventsFor(s.merchantOrderId).map((e) => e.event.type)).toEqual([
      'pending',
      'paid',
      'refunded',
    ]);
  });

  it('a replay of an order with dryRun=true returns what would be sent and changes nothing', async () => {
    const s = pay(vpos);
    await until(s.merchantOrderId, 'delivered');
    const before = receiver.stats.requests;
    const dry = await request(hub.url)
      .post(`/api/payments/${s.merchantOrderId}/replay?connection=${connectionId}&dryRun=true`)
      .set(adminHeaders);
    expect(dry.status).toBe(202);
    expect(dry.body.items).toEqual([
      expect.objectContaining({
        connectionId,
        action: 'replay',
        currentStatus: 'delivered',
        wouldSend: expect.objectContaining({ method: 'POST', url: receiver.url }),
      }),
    ]);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.stats.requests).toBe(before);

    const real = await request(hub.url)
      .post(`/api/payments/${s.merchantOrderId}/replay?connection=${connectionId}`)
      .set(adminHeaders);
    expect(real.status).toBe(202);
    await waitFor(() => Promise.resolve(receiver.stats.requests > before));
    await until(s.merchantOrderId, 'delivered');
    // Sent again, applied once: the receiver honours the idempotency key.
    expect(receiver.eventsFor(s.merchantOrderId)).toHaveLength(1);
  });

  it('bad input to the delivery API names the field', async () => {
    const bad = await request(hub.url).get('/api/deliveries?status=lost').set(adminHeaders);
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/^status must be one of/);
    const badId = await request(hub.url)
      .post('/api/deliveries/not-a-uuid/replay')
      .set(adminHeaders);
    expect(badId.status).toBe(422);
    const missing = await request(hub.url)
      .post('/api/deliveries/00000000-0000-4000-8000-000000000000/replay')
      .set(adminHeaders);
    expect(missing.status).toBe(404);
    const noOrder = await request(hub.url).post('/api/payments/nope/replay').set(adminHeaders);
    expect(noOrder.status).toBe(404);
  });

  it('metrics count deliveries by outcome and destination', async () => {
    const res = await request(hub.url).get('/metrics');
    expect(res.text).toMatch(
      /vposhub_deliveries_total\{destination="webhook",outcome="delivered"\} \d+/,
    );
    expect(res.text).toContain('vposhub_delivery_attempt_seconds_bucket');
    expect(res.text).toContain('vposhub_delivery_queue_depth');
    expect(res.text).toContain('vposhub_delivery_oldest_open_seconds');
  });
});
