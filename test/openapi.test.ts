import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { WEBHOOK_ROUTES } from '../src/webhooks/webhooks.http';
import { RECEIVER_SECRET, untilDelivered } from './support/delivery-fixtures';
import { startStack, Stack } from './support/stack';
import { adminHeaders, TestHub, waitFor } from './support/test-hub';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}
interface Response {
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: { $ref?: string } }>;
}
interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, Response>;
}
interface Document {
  info: { license?: { name: string }; contact?: object };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}

/** Served beside the API, not part of it: the docs themselves. */
const UNDOCUMENTED = /^GET \/docs(-json|-yaml|\/.*)?$/;
const PUBLIC = [
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'GET /oauth/{provider}/callback',
  'POST /api/session',
  'POST /webhooks/amocrm',
  'POST /webhooks/bitrix24',
];

/** "METHOD /path/{param}" for every route on the Express router (catch-all middleware aside). */
function registeredRoutes(hub: TestHub): string[] {
  const express = hub.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
  return express.router.stack
    .filter((l) => l.route && !/^\/\{\*\w+\}$/.test(l.route.path))
    .flatMap((l) =>
      Object.keys(l.route!.methods)
        .filter((m) => m !== '_all')
        .map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`),
    );
}

/** A copy where every object schema with listed properties allows no other: no undocumented field. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closed(v)]));
  if ('properties' in out && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

const operations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
  );

describe('OpenAPI document: complete, typed and true to the running app', () => {
  let stack: Stack;
  let hub: TestHub;
  let doc: Document;
  let ajv: Ajv;

  /** Validates a response body against the schema the document gives for (operation, status). */
  function bodyValidator(key: string, status: number): ValidateFunction {
    const op = operations(doc).find((o) => o.key === key)!.op;
    const schema = op.responses[String(status)]?.content?.['application/json']?.schema;
    expect([key, status, schema]).toEqual([key, status, expect.any(Object)]);
    return ajv.compile(closed({ ...schema, components: doc.components }) as object);
  }
  function expectConforms(key: string, res: request.Response): void {
    const validate = bodyValidator(key, res.status);
    expect([key, res.status, validate(res.body) ? 'valid' : validate.errors]).toEqual([
      key,
      res.status,
      'valid',
    ]);
  }

  beforeAll(async () => {
    stack = await startStack({ PAYMENT_LINK_LANGUAGE: 'en' });
    hub = stack.hub;
    const res = await request(hub.url).get('/docs-json');
    expect(res.status).toBe(200);
    doc = res.body as Document;
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
  });
  afterAll(() => stack?.close());

  it('lists every route the app serves, and nothing it does not', () => {
    // A set: route-scoped middleware (the CRM webhooks' body parser) registers its path again.
    const served = [
      ...new Set(registeredRoutes(hub).filter((r) => !UNDOCUMENTED.test(r))),
      ...Object.entries(WEBHOOK_ROUTES.openApi).flatMap(([path, item]) =>
        Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    ].sort();
    expect(served.length).toBeGreaterThanOrEqual(20);
    expect(
      operations(doc)
        .map((o) => o.key)
        .sort(),
    ).toEqual(served);
  });

  it('every /api operation has a typed 2xx body (or 204, or a redirect) and a 401', () => {
    const api = operations(doc).filter((o) => o.key.includes(' /api/'));
    expect(api.length).toBeGreaterThanOrEqual(15);
    for (const { key, op } of api) {
      const ok = Object.entries(op.responses).filter(([s]) => /^[23]\d\d$/.test(s));
      expect([key, ok.length > 0]).toEqual([key, true]);
      for (const [status, response] of ok) {
        const typed =
          status === '204' ||
          (status === '302' && response.headers?.Location !== undefined) ||
          response.content?.['application/json']?.schema !== undefined ||
          response.content?.['text/csv']?.schema !== undefined;
        expect([key, status, typed]).toEqual([key, status, true]);
      }
      expect([key, op.responses['401']?.content?.['application/json']?.schema]).toEqual([
        key,
        { $ref: '#/components/schemas/Error' },
      ]);
    }
  });

  it('every JSON error answer is the one Error shape; every operation has a 4xx', () => {
    for (const { key, op } of operations(doc)) {
      const errors = Object.entries(op.responses).filter(([s]) => /^[45]\d\d$/.test(s));
      expect([key, errors.some(([s]) => s.startsWith('4'))]).toEqual([key, true]);
      for (const [status, response] of errors) {
        const json = response.content?.['application/json'];
        if (!json) continue;
        expect([key, status, json.schema]).toEqual([
          key,
          status,
          { $ref: '#/components/schemas/Error' },
        ]);
      }
    }
    expect(doc.components.schemas.Error).toMatchObject({
      required: ['statusCode', 'error', 'message', 'requestId'],
    });
  });

  it('security, operationIds, tags, servers, license and contact are declared', () => {
    const ids = operations(doc).map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Map((doc.tags ?? []).map((t) => [t.name, t.description]));
    for (const { key, op } of operations(doc)) {
      const open = PUBLIC.includes(key) || key === 'POST /webhooks/vpos';
      expect([key, op.security]).toEqual([key, open ? [] : [{ bearer: [] }]]);
      expect([key, typeof op.summary]).toEqual([key, 'string']);
      for (const tag of op.tags ?? [])
        expect([key, tag, tags.get(tag)]).toEqual([key, tag, expect.any(String)]);
      expect([key, op.tags?.length]).toEqual([key, 1]);
    }
    expect(doc.servers?.[0]?.url).toBe(hub.config.http.publicBaseUrl);
    expect(doc.info.license).toMatchObject({ name: 'MIT' });
    expect(doc.info.contact).toBeDefined();
  });

  it('real answers conform to the documented schemas', async () => {
    const api = () => request(hub.url);
    const created = await api()
      .post('/api/products')
      .set(adminHeaders)
      .send({ name: 'Lesson', amountMinor: 300000, description: 'one hour' });
    expectConforms('POST /api/products', created);
    const id = (created.body as { id: string }).id;
    expectConforms(
      'GET /api/products/{id}',
      await api().get(`/api/products/${id}`).set(adminHeaders),
    );
    expectConforms(
      'PATCH /api/products/{id}',
      await api().patch(`/api/products/${id}`).set(adminHeaders).send({ active: false }),
    );
    // No description: the nullable field is null in the answer.
    expectConforms(
      'POST /api/products',
      await api()
        .post('/api/products')
        .set(adminHeaders)
        .send({ name: 'Plain', amountMinor: 1000 }),
    );
    const list = await api().get('/api/products').set(adminHeaders);
    expect(list.body).toHaveLength(2);
    expectConforms('GET /api/products', list);
    for (const key of ['GET /api/connections', 'GET /api/deliveries', 'GET /api/payment-links']) {
      expectConforms(key, await api().get(key.split(' ')[1]).set(adminHeaders));
    }
    expectConforms(
      'GET /api/products/{id}',
      await api().get(`/api/products/${randomUUID()}`).set(adminHeaders),
    );
    expectConforms('GET /api/products', await api().get('/api/products'));
    expectConforms('GET /health/live', await api().get('/health/live'));
    expectConforms('GET /health/ready', await api().get('/health/ready'));
    expectConforms('GET /api/products', await api().get('/api/products?limit=x').set(adminHeaders));
  });

  it("a paid link's whole story conforms: connection, link, payment, audit, deliveries, replay", async () => {
    const api = () => request(hub.url);
    const connection = await api()
      .post('/api/connections')
      .set(adminHeaders)
      .send({
        type: 'webhook',
        displayName: 'Shop backend',
        settings: { url: stack.receiver.url },
        credentials: { secret: RECEIVER_SECRET },
      });
    expectConforms('POST /api/connections', connection);
    const connectionId = (connection.body as { id: string }).id;
    expectConforms(
      'PATCH /api/connections/{id}',
      await api()
        .patch(`/api/connections/${connectionId}`)
        .set(adminHeaders)
        .send({ displayName: 'Shop' }),
    );

    const orderId = `OA-${randomUUID().slice(0, 8)}`;
    const link = await api()
      .post('/api/payment-links')
      .set(adminHeaders)
      .set('idempotency-key', randomUUID())
      .send({
        orderId,
        amountMinor: 1_250_000,
        customer: { phone: '091 23-45-67', name: 'Ani' },
        crm: { bitrix24DealId: '1001' },
      });
    expectConforms('POST /api/payment-links', link);
    const { id: linkId, providerPaymentId } = link.body as {
      id: string;
      providerPaymentId: string;
    };
    expectConforms(
      'GET /api/payment-links/{id}',
      await api().get(`/api/payment-links/${linkId}`).set(adminHeaders),
    );
    expectConforms(
      'POST /api/payment-links/{id}/resend',
      await api().post(`/api/payment-links/${linkId}/resend`).set(adminHeaders),
    );

    stack.vpos.setStatus(providerPaymentId, 'paid');
    await untilDelivered(stack.db, orderId, 'the paid event delivered');
    const payment = await waitFor(async () => {
      const res = await api().get(`/api/payments/${orderId}`).set(adminHeaders);
      return (res.body as { status?: string }).status === 'paid' ? res : undefined;
    });
    expectConforms('GET /api/payments/{orderId}', payment);
    expectConforms(
      'GET /api/payments/{orderId}/audit',
      await api().get(`/api/payments/${orderId}/audit`).set(adminHeaders),
    );
    expectConforms(
      'GET /api/payment-links',
      await api().get(`/api/payment-links?orderId=${orderId}`).set(adminHeaders),
    );
    const deliveries = await api().get(`/api/deliveries?orderId=${orderId}`).set(adminHeaders);
    expect(deliveries.body).toHaveLength(1);
    expectConforms('GET /api/deliveries', deliveries);
    expectConforms(
      'POST /api/payments/{orderId}/replay',
      await api().post(`/api/payments/${orderId}/replay?dryRun=true`).set(adminHeaders),
    );
    const deliveryId = (deliveries.body as { id: string }[])[0].id;
    expectConforms(
      'POST /api/deliveries/{id}/replay',
      await api().post(`/api/deliveries/${deliveryId}/replay`).set(adminHeaders),
    );
    expectConforms(
      'POST /api/payment-links/{id}/cancel',
      await api().post(`/api/payment-links/${linkId}/cancel`).set(adminHeaders),
    );
    expectConforms(
      'POST /api/payments/{orderId}/resolve',
      await api()
        .post(`/api/payments/${orderId}/resolve`)
        .set(adminHeaders)
        .send({ decision: 'lookup', reason: 'check' }),
    );
  });
});
