import request from 'supertest';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TestDatabase,
  TestHub,
} from './support/test-hub';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route registered on the Express router, as [METHOD, path]. */
function registeredRoutes(hub: TestHub): Array<[string, string]> {
  const express = hub.app.getHttpAdapter().getInstance() as {
    router?: { stack: Layer[] };
    _router?: { stack: Layer[] };
  };
  const stack = (express.router ?? express._router)?.stack ?? [];
  return stack
    .filter((l) => l.route)
    .flatMap((l) =>
      Object.keys(l.route!.methods).map(
        (m) => [m.toUpperCase(), l.route!.path] as [string, string],
      ),
    );
}

describe('platform: health, metrics, OpenAPI, auth, errors', () => {
  let db: TestDatabase;
  let hub: TestHub;

  beforeAll(async () => {
    db = await createTestDatabase();
    hub = await startTestHub(db);
  });
  afterAll(async () => {
    await hub?.close();
    await db?.drop();
  });

  it('liveness and readiness (PostgreSQL and Redis)', async () => {
    expect((await request(hub.url).get('/health/live')).status).toBe(200);
    const ready = await request(hub.url).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details).toMatchObject({
      database: { status: 'up' },
      redis: { status: 'up' },
    });
  });

  it('Prometheus metrics', async () => {
    await request(hub.url).post('/webhooks/vpos').send('{}');
    const res = await request(hub.url).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('vposhub_webhooks_received_total');
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });

  it('OpenAPI lists the routes', async () => {
    expect((await request(hub.url).get('/docs')).status).toBe(200);
    const doc = await request(hub.url).get('/docs-json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/webhooks/vpos',
        '/api/payments/{orderId}',
        '/api/payments/{orderId}/audit',
      ]),
    );
  });

  it('every /api route refuses a request without the admin token', async () => {
    // Sign-in is the one public /api route (test/admin-auth.test.ts lists every public route).
    const api = registeredRoutes(hub).filter(
      ([method, path]) => path.startsWith('/api') && `${method} ${path}` !== 'POST /api/session',
    );
    expect(api.length).toBeGreaterThanOrEqual(2);
    for (const [method, path] of api) {
      const url = path.replace(/:(\w+)/g, 'x');
      const res = await request(hub.url)[method.toLowerCase() as 'get'](url);
      expect([method, path, res.status]).toEqual([method, path, 401]);
      expect(res.body).toMatchObject({
        statusCode: 401,
        message: expect.stringContaining('authorization'),
      });
      // The session routes are about a signed-in operator; the bearer token is not one.
      if (path === '/api/session') continue;
      const ok = await request(hub.url)[method.toLowerCase() as 'get'](url).set(adminHeaders);
      expect([method, path, ok.status]).not.toEqual([method, path, 401]);
    }
  });

  it('errors are JSON with a request id that matches the header', async () => {
    const res = await request(hub.url)
      .get('/api/payments/nope')
      .set(adminHeaders)
      .set('x-request-id', 'req-123');
    expect(res.status).toBe(404);
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(res.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'orderId: no payment for order "nope"',
      requestId: 'req-123',
    });
  });
});
