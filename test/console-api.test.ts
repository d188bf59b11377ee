import { randomUUID } from 'node:crypto';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TestDatabase,
  TestHub,
} from './support/test-hub';

const OPERATOR = {
  email: 'anna@example.am',
  name: 'Anna Petrosyan',
  password: 'correct horse battery',
};

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(
  hub: TestHub,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    redirect: 'manual',
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, headers: res.headers, body };
}

async function signIn(hub: TestHub): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const res = await call(hub, 'POST', '/api/session', {
    body: { email: OPERATOR.email, password: OPERATOR.password },
    headers: { 'x-forwarded-for': randomUUID() },
  });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0], csrf: String(res.body.csrfToken), setCookie };
}

describe('console API: operators, sessions and CSRF', () => {
  let db: TestDatabase;
  let hub: TestHub;

  beforeAll(async () => {
    db = await createTestDatabase();
    hub = await startTestHub(db, { PUBLIC_BASE_URL: 'https://hub.example.am' });
    const created = await call(hub, 'POST', '/api/operators', {
      headers: adminHeaders,
      body: OPERATOR,
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await hub?.close();
    await db?.drop();
  });

  it('creating an operator needs the admin token; the password is stored hashed', async () => {
    const anonymous = await call(hub, 'POST', '/api/operators', {
      body: { ...OPERATOR, email: 'x@example.am' },
    });
    expect(anonymous.status).toBe(401);
    const twice = await call(hub, 'POST', '/api/operators', {
      headers: adminHeaders,
      body: OPERATOR,
    });
    expect(twice.status).toBe(409);
    const short = await call(hub, 'POST', '/api/operators', {
      headers: adminHeaders,
      body: { ...OPERATOR, email: 'y@example.am', password: 'short' },
    });
    expect(short.status).toBe(422);
    expect(short.body.message).toContain('password');
    const [row] = await db.ds.query<Array<{ password_hash: string }>>(
      `SELECT password_hash FROM operators WHERE email = $1`,
      [OPERATOR.email],
    );
    expect(row.password_hash).toMatch(/^\$2[aby]\$/);
    expect(row.password_hash).not.toContain(OPERATOR.password);
  });

  it('sign-in sets a strict HttpOnly Secure cookie and stores only a hash of it', async () => {
    const { cookie, setCookie } = await signIn(hub);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/Path=\//);
    const token = cookie.split('=')[1];
    const stored = await db.ds.query<Array<{ token_hash: string }>>(
      `SELECT token_hash FROM operator_sessions`,
    );
    expect(stored.map((s) => s.token_hash)).not.toContain(token);
    const me = await call(hub, 'GET', '/api/session', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ operator: { name: OPERATOR.name }, timeZone: 'Asia/Yerevan' });
  });

  it('a wrong password is 401 and the sixth failure in a row is 429 with Retry-After', async () => {
    const ip = randomUUID();
    const attempt = () =>
      call(hub, 'POST', '/api/session', {
        headers: { 'x-forwarded-for': ip },
        body: { email: OPERATOR.email, password: 'wrong password!' },
      });
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const right = await call(hub, 'POST', '/api/session', {
      headers: { 'x-forwarded-for': ip },
      body: { email: OPERATOR.email, password: OPERATOR.password },
    });
    expect(right.status).toBe(429);
  });

  it('every state change with a session cookie needs the CSRF token', async () => {
    const { cookie, csrf } = await signIn(hub);
    const changes: Array<[string, string, unknown]> = [
      ['POST', '/api/operators', { ...OPERATOR, email: 'b@example.am' }],
      ['POST', '/api/payment-links', { amountMinor: 100, currency: 'AMD' }],
      ['POST', `/api/payment-links/${randomUUID()}/cancel`, {}],
      ['POST', `/api/payment-links/${randomUUID()}/resend`, {}],
      ['PATCH', `/api/operators/${randomUUID()}`, { disabled: true }],
      ['POST', `/api/connections/${randomUUID()}/preview`, {}],
      ['POST', '/api/connections', { type: 'webhook', displayName: 'x' }],
      ['PATCH', `/api/connections/${randomUUID()}`, {}],
      ['DELETE', `/api/connections/${randomUUID()}`, undefined],
      ['POST', `/api/deliveries/${randomUUID()}/replay`, {}],
      ['POST', '/api/payments/o-1/resolve', { decision: 'lookup', reason: 'x' }],
      ['POST', '/api/products', { name: 'x', amountMinor: 100 }],
      ['DELETE', '/api/session', undefined],
    ];
    for (const [method, path, body] of changes) {
      const variants: Array<Record<string, string>> = [
        { cookie },
        { cookie, 'x-csrf-token': 'nope' },
        { cookie, 'x-csrf-token': `${csrf}x` },
      ];
      for (const headers of variants) {
        const res = await call(hub, method, path, { headers, body });
        expect([method, path, res.status]).toEqual([method, path, 403]);
        expect(res.body.message).toContain('x-csrf-token');
      }
      const noSession = await call(hub, method, path, { headers: { 'x-csrf-token': csrf }, body });
      expect([method, path, noSession.status]).toEqual([method, path, 401]);
      const forged = await call(hub, method, path, {
        headers: { cookie: 'vposhub_session=forged', 'x-csrf-token': csrf },
        body,
      });
      expect([method, path, forged.status]).toEqual([method, path, 401]);
    }
    expect((await call(hub, 'GET', '/api/session', { headers: { cookie } })).status).toBe(200);
  });

  it('with the CSRF token the operator acts, and the audit trail names them', async () => {
    const { cookie, csrf } = await signIn(hub);
    const res = await call(hub, 'POST', '/api/operators', {
      headers: { cookie, 'x-csrf-token': csrf, 'x-actor': 'someone-else' },
      body: { email: 'second@example.am', name: 'Second', password: 'another long password' },
    });
    expect(res.status).toBe(201);
    const [entry] = await db.ds.query<Array<{ actor: string }>>(
      `SELECT actor FROM audit_log WHERE kind = 'operator.created' AND data->>'email' = $1`,
      ['second@example.am'],
    );
    expect(entry.actor).toBe(OPERATOR.name);
    const scripted = await call(hub, 'POST', '/api/operators', {
      headers: { ...adminHeaders, 'x-actor': 'billing-script' },
      body: { email: 'third@example.am', name: 'Third', password: 'another long password' },
    });
    expect(scripted.status).toBe(201);
    const [byScript] = await db.ds.query<Array<{ actor: string }>>(
      `SELECT actor FROM audit_log WHERE kind = 'operator.created' AND data->>'email' = $1`,
      ['third@example.am'],
    );
    expect(byScript.actor).toBe('billing-script');
  });

  it('sign-out revokes the session', async () => {
    const { cookie, csrf } = await signIn(hub);
    const out = await call(hub, 'DELETE', '/api/session', {
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(out.status).toBe(204);
    expect((await call(hub, 'GET', '/api/session', { headers: { cookie } })).status).toBe(401);
    expect((await call(hub, 'GET', '/api/payments', { headers: { cookie } })).status).toBe(401);
  });

  it('payments search validates its filters and names the field', async () => {
    const bad = await call(hub, 'GET', '/api/payments?amountMin=abc', { headers: adminHeaders });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toContain('amountMin');
    const badDate = await call(hub, 'GET', '/api/payments?from=yesterday', {
      headers: adminHeaders,
    });
    expect(badDate.status).toBe(422);
    expect(badDate.body.message).toContain('from');
    const empty = await call(hub, 'GET', '/api/payments?status=paid', { headers: adminHeaders });
    expect(empty.body).toEqual({ items: [], total: 0 });
  });

  it('serves the console at /admin with a strict CSP and falls back to index.html', async () => {
    for (const path of ['/admin/', '/admin/payments/o-1']) {
      const res = await fetch(`${hub.url}${path}`);
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
    }
    const html = await (await fetch(`${hub.url}/admin/`)).text();
    const script = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${hub.url}${script}`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${hub.url}/admin/assets/missing.js`)).status).toBe(404);
  });
});
