import request from 'supertest';
import { startStack, Stack } from './support/stack';
import { adminHeaders } from './support/test-hub';

let seq = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++seq}`;

describe('payment links: Idempotency-Key under concurrency', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  const create = (body: object, key: string) =>
    request(stack.hub.url)
      .post('/api/payment-links')
      .set(adminHeaders)
      .set('idempotency-key', key)
      .send(body);
  const body = (orderId: string) => ({
    orderId,
    amountMinor: 420_000,
    currency: 'AMD',
    customer: { phone: '+37491234567', name: 'Ani' },
  });

  it('20 parallel requests with one key and body: all 201 with the same link, 19 marked replayed, one VPOS session', async () => {
    const orderId = unique('IDEM');
    const key = unique('key');
    const before = stack.vpos.listSessions().length;
    const answers = await Promise.all(Array.from({ length: 20 }, () => create(body(orderId), key)));

    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    expect(answers.every((a) => a.body.status === 'active' && a.body.url)).toBe(true);
    const replayed = answers.filter((a) => a.headers['idempotent-replayed'] === 'true');
    expect(replayed).toHaveLength(19);

    const sessions = stack.vpos.listSessions().filter((s) => s.merchantOrderId === orderId);
    expect(sessions).toHaveLength(1);
    expect(stack.vpos.listSessions().length).toBe(before + 1);
    const [{ opened }] = await stack.db.ds.query<{ opened: number }[]>(
      `SELECT count(*)::int AS opened FROM audit_log
       WHERE kind = 'link.session_opened' AND order_id = $1`,
      [orderId],
    );
    expect(opened).toBe(1);
  });

  it('another key for the same order while its link is open stays 409', async () => {
    const orderId = unique('IDEM');
    const [a, b] = await Promise.all([
      create(body(orderId), unique('key')),
      create(body(orderId), unique('key')),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const refused = a.status === 409 ? a : b;
    expect(refused.body.message).toMatch(/^orderId: .* has an open link/);
  });

  it('the same key with another body, concurrently, is 409 for the loser and creates nothing more', async () => {
    const orderId = unique('IDEM');
    const key = unique('key');
    const answers = await Promise.all([
      create(body(orderId), key),
      create({ ...body(orderId), amountMinor: 1 }, key),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)!.body.message).toMatch(/^Idempotency-Key/);
    expect(stack.vpos.listSessions().filter((s) => s.merchantOrderId === orderId)).toHaveLength(1);
  });
});
