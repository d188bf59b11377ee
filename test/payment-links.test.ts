import request from 'supertest';
import { PaymentLinkScheduler } from '../src/payment-links/payment-link.scheduler';
import type { VposEmulator } from '../sandbox/vpos/vpos-emulator';
import type { WebhookReceiver } from '../sandbox/webhook-receiver/webhook-receiver';
import { startStack, Stack } from './support/stack';
import { addWebhookConnection } from './support/delivery-fixtures';
import { adminHeaders, TestDatabase, TestHub, waitFor } from './support/test-hub';

let seq = 0;
const newOrder = () => `L-${Date.now().toString(36)}-${++seq}`;
const key = () => `key-${Date.now().toString(36)}-${++seq}`;

describe('payment links', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let vpos: VposEmulator;
  let receiver: WebhookReceiver;

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      RECOVERY_AFTER_SECONDS: '5',
      SCHEDULER_INTERVAL_MS: '500',
      PAYMENT_LINK_LANGUAGE: 'en',
      PAYMENT_LINK_MAX_TTL_SECONDS: String(7 * 86400),
    });
    ({ db, hub, vpos, receiver } = stack);
    await addWebhookConnection(hub, receiver);
  });
  afterAll(() => stack?.close());

  const create = (body: Record<string, unknown>, idempotencyKey: string | null = key()) => {
    const req = request(hub.url)
      .post('/api/payment-links')
      .set(adminHeaders)
      .set('x-actor', 'Anna');
    return (idempotencyKey ? req.set('idempotency-key', idempotencyKey) : req).send(body);
  };
  const order = async (orderId: string) =>
    (await request(hub.url).get(`/api/payments/${orderId}`).set(adminHeaders)).body as {
      status: string;
      attempts: { attemptNo: number; status: string }[];
    };
  const full = (orderId: string) => ({
    orderId,
    amountMinor: 1_250_000,
    currency: 'AMD',
    customer: { phone: '091 23-45-67', id: 'cust-7', name: 'Ani', email: 'ani@example.am' },
    description: 'Consultation prepayment',
    ttlSeconds: 3600,
    crm: { bitrix24DealId: '1001', amocrmLeadId: 5003 },
    metadata: { source: 'whatsapp' },
  });

  it('a dynamic link with every field opens one VPOS session with our amount, order and key', async () => {
    const orderId = newOrder();
    const k = key();
    const res = await create(full(orderId), k);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      orderId,
      status: 'active',
      amountMinor: 1_250_000,
      currency: 'AMD',
      attemptNo: 1,
      customer: { phone: '+37491234567', id: 'cust-7' },
      crm: { bitrix24DealId: '1001', amocrmLeadId: '5003' },
      createdBy: 'Anna',
    });
    const session = vpos.getSession(res.body.providerPaymentId)!;
    expect(session).toMatchObject({
      merchantOrderId: orderId,
      amountMinor: 1_250_000,
      currency: 'AMD',
      customer: { phone: '+37491234567', name: 'Ani', email: 'ani@example.am' },
      metadata: expect.objectContaining({
        customerId: 'cust-7',
        source: 'whatsapp',
        linkId: res.body.id,
      }),
    });
    expect(vpos.idempotencyKeyOf(session.id)).toBe(k);
    expect(res.body.url).toBe(session.checkoutUrl);
    expect(res.body.whatsapp.text).toContain('12 500 ֏');
    expect(res.body.whatsapp.text).toContain(session.checkoutUrl);
    expect(res.body.whatsapp.url).toMatch(/^https:\/\/wa\.me\/37491234567\?text=/);
    const trail = (await request(hub.url).get(`/api/payments/${orderId}/audit`).set(adminHeaders))
      .body;
    expect(trail[0]).toMatchObject({ kind: 'link.created', actor: 'Anna' });
  });

  it('the same request twice gives one link and one session; same key, other body → 409', async () => {
    const orderId = newOrder();
    const k = key();
    const before = vpos.listSessions().length;
    const a = await create(full(orderId), k);
    const b = await create(full(orderId), k);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.body.id).toBe(a.body.id);
    expect(vpos.listSessions().length).toBe(before + 1);
    const c = await create({ ...full(orderId), amountMinor: 999 }, k);
    expect(c.status).toBe(409);
    expect(c.body.message).toMatch(/^Idempotency-Key/);
  });

  it.each([
    ['invalid phone', { customer: { phone: '12-34' } }, 'customer.phone'],
    ['amount 0', { amountMinor: 0 }, 'amountMinor'],
    ['negative amount', { amountMinor: -5 }, 'amountMinor'],
    ['fractional amount', { amountMinor: 10.5 }, 'amountMinor'],
    ['unknown currency', { currency: 'XXX' }, 'currency'],
    ['lower-case currency', { currency: 'amd' }, 'currency'],
    [
      'expiry in the past',
      { ttlSeconds: undefined, expiresAt: '2020-01-01T00:00:00Z' },
      'expiresAt',
    ],
    ['expiry over the maximum', { ttlSeconds: 30 * 86400 }, 'ttlSeconds'],
    ['both expiry forms', { expiresAt: new Date(Date.now() + 7200e3).toISOString() }, 'expiresAt'],
    ['no customer', { customer: undefined }, 'customer'],
    ['bad deal id', { crm: { bitrix24DealId: 'abc' } }, 'crm.bitrix24DealId'],
  ])('%s → 422 naming the field', async (_name, change, field) => {
    const before = vpos.listSessions().length;
    const res = await create({ ...full(newOrder()), ...change });
    expect(res.status).toBe(422);
    expect(res.body.message).toContain(field);
    expect(res.body.requestId).toEqual(expect.any(String));
    expect(vpos.listSessions().length).toBe(before);
  });

  it('no Idempotency-Key → 400 naming the header', async () => {
    const res = await create(full(newOrder()), null);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Idempotency-Key/);
  });

  it('fixed links come from the product catalog', async () => {
    const product = await request(hub.url).post('/api/products').set(adminHeaders).send({
      name: 'Delivery',
      amountMinor: 150_000,
      description: 'Courier in Yerevan',
      defaultTtlSeconds: 7200,
    });
    expect(product.status).toBe(201);
    const res = await create({ productId: product.body.id, customer: { phone: '+37455123456' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      amountMinor: 150_000,
      currency: 'AMD',
      description: 'Courier in Yerevan',
    });
    expect(res.body.orderId).toMatch(/^P-\d{8}-[0-9a-f]{6}$/);
    const bad = await request(hub.url)
      .post('/api/products')
      .set(adminHeaders)
      .send({ name: '', amountMinor: 0 });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/name|amountMinor/);
  });

  it('a paid order refuses a new link with 409 and says so', async () => {
    const orderId = newOrder();
    const first = await create(full(orderId));
    vpos.setStatus(first.body.providerPaymentId, 'paid');
    await waitFor(async () => (await order(orderId)).status === 'paid');
    const again = await create(full(orderId));
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('already paid');
  });

  it("a customer's retry after a failure is a new link and attempt on the same order", async () => {
    const orderId = newOrder();
    const first = await create(full(orderId));
    const open = await create(full(orderId));
    expect(open.status).toBe(409);
    vpos.setStatus(first.body.providerPaymentId, 'failed');
    await waitFor(async () => (await order(orderId)).status === 'failed');
    const retry = await create(full(orderId));
    expect(retry.status).toBe(201);
    expect(retry.body.attemptNo).toBe(2);
    const other = await create({ ...full(orderId), amountMinor: 1 });
    expect(other.status).toBe(409);
    expect(other.body.message).toContain('locked');
  });

  it('an expired link emits an expired event that reaches the destinations', async () => {
    const orderId = newOrder();
    const link = await create(full(orderId));
    await db.ds.query(
      `UPDATE payment_links SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [link.body.id],
    );
    await waitFor(
      () => Promise.resolve(receiver.eventsFor(orderId).some((e) => e.event.type === 'expired')),
      15000,
    );
    const view = await request(hub.url).get(`/api/payment-links/${link.body.id}`).set(adminHeaders);
    expect(view.body.status).toBe('expired');
    const trail = (await request(hub.url).get(`/api/payments/${orderId}/audit`).set(adminHeaders))
      .body;
    expect(trail.map((a: { kind: string }) => a.kind)).toContain('link.expired');

    // Money taken after expiry still counts, flagged in the audit log.
    vpos.setStatus(link.body.providerPaymentId, 'paid');
    await waitFor(async () => (await order(orderId)).status === 'paid');
    const after = (await request(hub.url).get(`/api/payments/${orderId}/audit`).set(adminHeaders))
      .body;
    expect(
      after.some((a: { data: { flags?: string[] } }) =>
        a.data.flags?.includes('paid_after_expiry'),
      ),
    ).toBe(true);
  });

  it('a payment whose webhook never arrives is found by the recovery job', async () => {
    const orderId = newOrder();
    const link = await create(full(orderId));
    vpos.setStatus(link.body.providerPaymentId, 'paid', { webhook: { suppress: true } });
    await waitFor(async () => (await order(orderId)).status === 'paid', 20000, 'recovered');
    await waitFor(() =>
      Promise.resolve(receiver.eventsFor(orderId).some((e) => e.event.type === 'paid')),
    );
    const [event] = await db.ds.query<{ payload: { verifiedBy: string } }[]>(
      `SELECT payload FROM payment_events WHERE order_id = $1 AND type = 'paid'`,
      [orderId],
    );
    expect(event.payload.verifiedBy).toBe('scheduler');
    expect(await hub.app.get(PaymentLinkScheduler).runOnce()).toEqual({ expired: 0, recovered: 0 });
  });

  it('cancel: open links cancel (event emitted), paid links refuse', async () => {
    const orderId = newOrder();
    const link = await create(full(orderId));
    const cancel = await request(hub.url)
      .post(`/api/payment-links/${link.body.id}/cancel`)
      .set(adminHeaders)
      .set('x-actor', 'Anna');
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    await waitFor(() =>
      Promise.resolve(receiver.eventsFor(orderId).some((e) => e.event.type === 'cancelled')),
    );

    const paidOrder = newOrder();
    const paid = await create(full(paidOrder));
    vpos.setStatus(paid.body.providerPaymentId, 'paid');
    await waitFor(async () => (await order(paidOrder)).status === 'paid');
    const refused = await request(hub.url)
      .post(`/api/payment-links/${paid.body.id}/cancel`)
      .set(adminHeaders);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('paid');
  });

  it('list, read, resend', async () => {
    const orderId = newOrder();
    const link = await create(full(orderId));
    const list = await request(hub.url)
      .get(`/api/payment-links?orderId=${orderId}`)
      .set(adminHeaders);
    expect(list.body.map((l: { id: string }) => l.id)).toEqual([link.body.id]);
    const resend = await request(hub.url)
      .post(`/api/payment-links/${link.body.id}/resend`)
      .set(adminHeaders);
    expect(resend.status).toBe(200);
    expect(resend.body.whatsapp.text).toContain(link.body.url);
    const missing = await request(hub.url)
      .get('/api/payment-links/00000000-0000-4000-8000-000000000000')
      .set(adminHeaders);
    expect(missing.status).toBe(404);
  });
});
