import request from 'supertest';
import { startStack, Stack } from './support/stack';
import { adminHeaders } from './support/test-hub';

let seq = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++seq}`;

describe('admin input: bad values answer 4xx naming the field, never 5xx', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  const api = () => request(stack.hub.url);
  const link = (over: Record<string, unknown>) =>
    api()
      .post('/api/payment-links')
      .set(adminHeaders)
      .set('idempotency-key', unique('k'))
      .send({
        orderId: unique('IN'),
        amountMinor: 5000,
        currency: 'AMD',
        customer: { phone: '+37491234567', name: 'Ani' },
        ...over,
      });
  const expectRefused = (res: request.Response, status: number, field: RegExp) => {
    expect({ status: res.status, message: res.body.message }).toEqual({
      status,
      message: expect.stringMatching(field),
    });
  };

  it('null where a number or a string is expected → 422 naming it', async () => {
    expectRefused(await link({ amountMinor: null }), 422, /^amountMinor/);
    expectRefused(
      await link({ customer: { phone: null, id: 'c-1' } }),
      422,
      /(^|; )customer\.phone/,
    );
    expectRefused(await link({ customer: null }), 422, /customer/);
  });

  it.each([
    ['customer.name', { customer: { phone: '+37491234567', name: 'A\u0000ni' } }],
    ['description', { description: 'pre\u0000payment' }],
    ['orderId', { orderId: 'A-1\u0000' }],
    ['metadata.note', { metadata: { note: 'x\u0000' } }],
    ['metadata.tags[1]', { metadata: { tags: ['ok', '\ud800'] } }],
    ['customer.name', { customer: { phone: '+37491234567', name: 'Ani \udc00' } }],
  ])('NUL or a lone surrogate in %s → 422 naming the path', async (path, over) => {
    const res = await link(over);
    expect(res.status).toBe(422);
    expect(res.body.message).toBe(`${path}: must not contain NUL or lone surrogates`);
  });

  it('NUL in an object key is refused too', async () => {
    const res = await link({ metadata: { 'a\u0000b': 1 } });
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/^metadata\..*: must not contain NUL or lone surrogates$/);
  });

  it('a blank customer name is refused before VPOS is asked', async () => {
    const before = stack.vpos.listSessions().length;
    expectRefused(
      await link({ customer: { phone: '+37491234567', name: '   ' } }),
      422,
      /^customer\.name/,
    );
    expect(stack.vpos.listSessions().length).toBe(before);
  });

  it('huge amounts and TTLs on products → 422 naming the field', async () => {
    const product = await api()
      .post('/api/products')
      .set(adminHeaders)
      .send({ name: 'Lesson', amountMinor: 300000 });
    expect(product.status).toBe(201);
    const patch = (body: Record<string, unknown>) =>
      api().patch(`/api/products/${product.body.id}`).set(adminHeaders).send(body);
    expectRefused(await patch({ amountMinor: 1e308 }), 422, /^amountMinor/);
    expectRefused(await patch({ amountMinor: 2 ** 53 }), 422, /^amountMinor/);
    expectRefused(await patch({ defaultTtlSeconds: 1e20 }), 422, /^defaultTtlSeconds/);
    expectRefused(await patch({ name: null }), 422, /^name/);
    expectRefused(await link({ amountMinor: 1e308 }), 422, /^amountMinor/);
    expectRefused(await link({ ttlSeconds: 1e20 }), 422, /^ttlSeconds/);
  });

  it.each(['/api/payment-links', '/api/deliveries'])(
    '%s?offset=1e20 → 422 naming offset',
    async (path) => {
      expectRefused(
        await api().get(`${path}?offset=1e20`).set(adminHeaders),
        422,
        /^offset must be/,
      );
    },
  );

  it('NUL in a query string → 422 naming the parameter', async () => {
    expectRefused(
      await api().get('/api/payment-links?orderId=A%00B').set(adminHeaders),
      422,
      /^orderId: must not contain NUL or lone surrogates$/,
    );
  });

  it.each(['/api/payments/%00', '/api/payments/A%00/audit', '/api/payments/A%00/replay'])(
    'NUL in a path parameter (%s) → 422 naming it',
    async (path) => {
      const req = path.endsWith('replay') ? api().post(path) : api().get(path);
      expectRefused(
        await req.set(adminHeaders),
        422,
        /^orderId: must not contain NUL or lone surrogates$/,
      );
    },
  );

  it('100,000 levels of nesting → 400 naming the depth limit (array body and inside a field)', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const asBody = await api()
      .post('/api/payment-links')
      .set(adminHeaders)
      .set('idempotency-key', unique('k'))
      .set('content-type', 'application/json')
      .send(deep(100_000));
    expectRefused(asBody, 400, /^body: nested deeper than 32 levels/);
    const inField = await api()
      .post('/api/connections')
      .set(adminHeaders)
      .set('content-type', 'application/json')
      .send(`{"type":"webhook","displayName":"x","settings":{"a":${deep(100_000)}}}`);
    expectRefused(inField, 400, /^body: nested deeper than 32 levels/);
    // Brackets inside strings are text, not nesting.
    const text = await link({ description: '['.repeat(100) });
    expect(text.status).toBe(201);
  });

  it('a path that is not UTF-8 → 400 naming the path; a UUID parameter names itself', async () => {
    expectRefused(
      await api().get('/api/payments/%E0%A4%A').set(adminHeaders),
      400,
      /^path: "%E0%A4%A" is not percent-encoded UTF-8$/,
    );
    expectRefused(
      await api().get('/api/products/not-a-uuid').set(adminHeaders),
      422,
      /^id: must be a UUID$/,
    );
  });

  it('an array where the body object belongs → 422 naming the body', async () => {
    const res = await api()
      .post('/api/products')
      .set(adminHeaders)
      .send([{ name: 'Lesson', amountMinor: 300000 }]);
    expectRefused(res, 422, /^body: must be a JSON object/);
  });

  it('malformed JSON → 400 naming the body', async () => {
    const res = await api()
      .post('/api/products')
      .set(adminHeaders)
      .set('content-type', 'application/json')
      .send('{"name": "x", ');
    expectRefused(res, 400, /^body: /);
  });
});
