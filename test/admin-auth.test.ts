import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { IS_PUBLIC } from '../src/common/public.decorator';
import {
  createTestDatabase,
  startTestHub,
  TEST_ADMIN_TOKEN,
  TestDatabase,
  TestHub,
} from './support/test-hub';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request: the path goes on the wire exactly as written (no URL normalization). */
function send(
  hub: TestHub,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const { hostname, port } = new URL(hub.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Every route on the Express router (Nest's and those mounted beside it), as "METHOD path".
 * Catch-all paths are Nest middleware applied to every route (request logging), not endpoints.
 */
function registeredRoutes(hub: TestHub): string[] {
  const express = hub.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
  return express.router.stack
    .filter((l) => l.route && !/^\/\{\*\w+\}$/.test(l.route.path))
    .flatMap((l) =>
      Object.keys(l.route!.methods)
        .filter((m) => m !== '_all')
        .map((m) => `${m.toUpperCase()} ${l.route!.path}`),
    );
}

/** The Nest handlers marked @Public(), read from the running app's controllers. */
function publicHandlers(hub: TestHub): string[] {
  const reflector = new Reflector();
  const found: string[] = [];
  for (const module of hub.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: unknown[]) => object) | null;
      if (!type) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      let proto: object | null = type.prototype as object;
      const names = new Set<string>();
      while (proto && proto !== Object.prototype) {
        Object.getOwnPropertyNames(proto).forEach((n) => names.add(n));
        proto = Object.getPrototypeOf(proto) as object | null;
      }
      for (const name of names) {
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        if (!reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, type])) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const full = `/${base}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
        found.push(`${method} ${full}`);
      }
    }
  }
  return found.sort();
}

const SAMPLE = randomUUID();
const concrete = (path: string) =>
  path
    .replace(/:provider\b/g, 'bitrix24')
    .replace(/:\w+/g, SAMPLE)
    .replace(/\*\w+/g, 'x');

/** The same path spelled the ways a router, a proxy or an attacker might treat as equal. */
function spellings(path: string): string[] {
  const [first, ...rest] = path.slice(1).split('/');
  const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const encodeFirst = (s: string) =>
    `%${s.charCodeAt(0).toString(16).padStart(2, '0')}${s.slice(1)}`;
  const last = rest.length ? rest[rest.length - 1] : first;
  const all = [
    path,
    path.toUpperCase(),
    `/${first.toUpperCase()}/${rest.join('/')}`,
    `/${capital(first)}/${rest.join('/')}`,
    `/${[first, ...rest].map(capital).join('/')}`,
    `${path}/`,
    `/${path}`,
    `/${first}//${rest.join('/')}`,
    `/${encodeFirst(first)}/${rest.join('/')}`,
    `${path.slice(0, path.length - last.length)}${encodeFirst(last)}`,
    `/${first}/./${rest.join('/')}`,
    `/${first}/x/../${rest.join('/')}`,
    `/${first}%2F${rest.join('/')}`,
    `${path};x`,
    `${path}?x=1`,
  ];
  return [...new Set(all)];
}

const PUBLIC_ROUTES = [
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'GET /oauth/:provider/callback',
  'POST /webhooks/amocrm',
  'POST /webhooks/bitrix24',
  'POST /api/session',
];
/** Mounted by SwaggerModule beside Nest: the API description, no data. */
const DOCS = /^GET \/docs(-json|-yaml|\/.*)?$/;

describe('admin edge: every route needs the admin token unless it is marked public', () => {
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

  it('only the webhook, OAuth callback, health and metrics handlers are public', () => {
    expect(publicHandlers(hub)).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('no spelling of a private route answers 2xx/3xx without a valid token', async () => {
    const routes = registeredRoutes(hub);
    const open = routes.filter((r) => PUBLIC_ROUTES.includes(r) || DOCS.test(r));
    const guarded = routes.filter((r) => !open.includes(r));
    expect(guarded.length).toBeGreaterThanOrEqual(15);
    expect(open).toEqual(expect.arrayContaining(PUBLIC_ROUTES));

    const credentials: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: `Bearer ${TEST_ADMIN_TOKEN}x` },
      { authorization: `Bearer ${TEST_ADMIN_TOKEN.toUpperCase()}` },
      { authorization: `Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64')}` },
      { authorization: TEST_ADMIN_TOKEN },
      { 'x-api-key': TEST_ADMIN_TOKEN },
    ];
    const leaks: string[] = [];
    for (const route of guarded) {
      const [method, path] = route.split(' ');
      for (const spelled of spellings(concrete(path))) {
        for (const headers of credentials) {
          const res = await send(hub, method, spelled, headers).catch((err: Error) => {
            throw new Error(`${method} ${spelled}: ${err.message}`);
          });
          if (res.status < 400 || res.status >= 500 || ![401, 404].includes(res.status)) {
            leaks.push(`${method} ${spelled} ${JSON.stringify(headers)} -> ${res.status}`);
          }
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it('the exact spelling without a token is 401 naming the header', async () => {
    const api = registeredRoutes(hub).filter((r) => r.includes(' /api'));
    for (const route of api.filter((r) => !PUBLIC_ROUTES.includes(r))) {
      const [method, path] = route.split(' ');
      const res = await send(hub, method, concrete(path));
      expect([route, res.status]).toEqual([route, 401]);
      expect(JSON.parse(res.body)).toMatchObject({
        message: expect.stringContaining('authorization'),
      });
    }
  });

  it('routing is case-sensitive and strict even with the token', async () => {
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    expect((await send(hub, 'GET', '/api/deliveries', admin)).status).toBe(200);
    for (const path of [
      '/API/deliveries',
      '/Api/deliveries',
      '/api/Deliveries',
      '/api/deliveries/',
    ]) {
      const res = await send(hub, 'GET', path, admin);
      expect([path, res.status]).toEqual([path, 404]);
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: 404 });
    }
  });

  it('unknown paths are a plain 404 with or without the token', async () => {
    for (const path of ['/', '/api', '/api/', '/nope', '/api/nope', '/.env', '/ADMIN']) {
      const res = await send(hub, 'GET', path);
      expect([path, res.status]).toEqual([path, 404]);
    }
  });

  it('the webhook intake answers its exact path only', async () => {
    for (const path of ['/Webhooks/vpos', '/webhooks/VPOS', '/webhooks/vpos/', '//webhooks/vpos']) {
      const res = await send(hub, 'POST', path, { 'content-type': 'application/json' });
      expect([path, res.status]).toEqual([path, 404]);
    }
    const exact = await send(hub, 'POST', '/webhooks/vpos?x=1', {
      'content-type': 'application/json',
    });
    expect(exact.status).toBe(400);
  });

  it('public routes stay reachable without a token', async () => {
    expect((await send(hub, 'GET', '/health/live')).status).toBe(200);
    expect((await send(hub, 'GET', '/health/ready')).status).toBe(200);
    expect((await send(hub, 'GET', '/metrics')).status).toBe(200);
    expect((await send(hub, 'GET', '/docs')).status).toBe(200);
    const doc = await send(hub, 'GET', '/docs-json');
    expect(doc.status).toBe(200);
    // Bitrix24 OAuth is not configured here: refused by the flow, not by the guard.
    const callback = await send(hub, 'GET', '/oauth/bitrix24/callback?state=x');
    expect(callback.status).toBe(422);
    expect(callback.body).toContain('not configured');
  });

  it('OpenAPI declares the bearer token on every operation but the public ones', async () => {
    const doc = JSON.parse((await send(hub, 'GET', '/docs-json')).body) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const publicPaths = [
      '/health/live',
      '/health/ready',
      '/metrics',
      '/oauth/{provider}/callback',
      '/webhooks/bitrix24',
      '/webhooks/amocrm',
    ];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [verb, op] of Object.entries(item)) {
        const open =
          publicPaths.includes(path) ||
          path === '/webhooks/vpos' ||
          (path === '/api/session' && verb === 'post');
        expect([verb, path, op.security]).toEqual([verb, path, open ? [] : [{ bearer: [] }]]);
      }
    }
    expect(JSON.stringify(doc)).not.toContain('x-vposhub-public');
  });
});
