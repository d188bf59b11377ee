import { createHmac } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { standardWebhookSignature } from './signing';
import {
  startVposEmulator,
  type VposEmulator,
  type SetStatusResult,
  type VposEmulatorOptions,
  type VposSession,
} from './vpos-emulator';

const TOKEN = 'spec-token';
const KEY = Buffer.from('0123456789abcdef0123456789abcdef');
const SECRET = `whsec_${KEY.toString('base64')}`;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  url: string;
  requests: Received[];
  /** Statuses for the next requests, in order; afterwards 204. */
  answers: number[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const answers: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function standardSignature(id: string, timestamp: string, body: string): string {
  return `v1,${createHmac('sha256', KEY).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function apiError(res: Response): Promise<{ code: string; field?: string }> {
  return (await json<{ error: { code: string; field?: string } }>(res)).error;
}

const orderBody = {
  merchantOrderId: 'order-1001',
  amountMinor: 1250000,
  currency: 'AMD',
  provider: 'manual',
  customer: { email: 'buyer@example.am', phone: '+37491234567', name: 'Ani' },
  metadata: { description: 'Two tickets' },
};

describe('VPOS emulator', () => {
  let receiver: Receiver;
  let vpos: VposEmulator;

  async function start(extra: Partial<VposEmulatorOptions> = {}): Promise<void> {
    await vpos?.close();
    vpos = await startVposEmulator({
      apiToken: TOKEN,
      webhookSecret: SECRET,
      webhookUrl: receiver.url,
      webhookRetryDelaysMs: [30, 30],
      ...extra,
    });
  }

  function api(path: string, init: RequestInit = {}, token = TOKEN): Promise<Response> {
    const headers = new Headers(init.headers);
    if (token !== '') headers.set('authorization', `Bearer ${token}`);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${vpos.url}${path}`, { ...init, headers });
  }

  function create(body: unknown, key = 'key-1'): Promise<Response> {
    return api('/v1/payment-sessions', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'idempotency-key': key },
    });
  }

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  beforeEach(async () => {
    receiver.requests.length = 0;
    receiver.answers.length = 0;
    await start();
  });
  afterAll(async () => {
    await vpos.close();
    await receiver.close();
  });

  describe('merchant API', () => {
    it('serves health without auth and requires the bearer token on /v1', async () => {
      const health = await fetch(`${vpos.url}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });

      const missing = await api('/v1/capabilities', {}, '');
      expect(missing.status).toBe(401);
      expect((await apiError(missing)).code).toBe('unauthorized');
      expect((await api('/v1/capabilities', {}, 'wrong-token')).status).toBe(401);

      const caps = await api('/v1/capabilities');
      expect(caps.status).toBe(200);
      expect((await json<{ providers: unknown[] }>(caps)).providers[0]).toEqual({
        id: 'manual',
        capabilities: {
          payLink: true,
          qr: false,
          refund: true,
          fiscalization: false,
          tokenization: false,
        },
      });
    });

    it('creates a session, replays it for the same key and body, rejects a reused key', async () => {
      const first = await create(orderBody);
      expect(first.status).toBe(201);
      const session = (await first.json()) as VposSession;
      expect(session).toMatchObject({
        status: 'created',
        merchantOrderId: 'order-1001',
        amountMinor: 1250000,
        currency: 'AMD',
        provider: 'manual',
        customer: orderBody.customer,
        metadata: orderBody.metadata,
        returnUrl: null,
        checkoutUrl: `${vpos.url}/checkout/${session.id}`,
      });
      expect(session.id).toMatch(/^ps_/);
      const ttl = Date.parse(session.expiresAt) - Date.parse(session.createdAt);
      expect(ttl).toBe(1800 * 1000);

      const replay = await create({ ...orderBody });
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(((await replay.json()) as VposSession).id).toBe(session.id);

      const reused = await create({ ...orderBody, amountMinor: 1 });
      expect(reused.status).toBe(409);
      expect((await apiError(reused)).code).toBe('idempotency_key_reused');

      const read = await api(`/v1/payment-sessions/${session.id}`);
      expect(read.status).toBe(200);
      expect(((await read.json()) as VposSession).id).toBe(session.id);
      const unknown = await api('/v1/payment-sessions/ps_nope');
      expect(unknown.status).toBe(404);
      expect((await apiError(unknown)).code).toBe('not_found');
    });

    it('validates the create request', async () => {
      const noKey = await api('/v1/payment-sessions', {
        method: 'POST',
        body: JSON.stringify(orderBody),
      });
      expect(noKey.status).toBe(400);
      expect((await apiError(noKey)).code).toBe('idempotency_key_required');

      const cases: Array<[unknown, string]> = [
        [{ ...orderBody, merchantOrderId: '' }, 'merchantOrderId'],
        [{ ...orderBody, merchantOrderId: 'x'.repeat(65) }, 'merchantOrderId'],
        [{ ...orderBody, amountMinor: 0 }, 'amountMinor'],
        [{ ...orderBody, amountMinor: 10.5 }, 'amountMinor'],
        [{ ...orderBody, amountMinor: '100' }, 'amountMinor'],
        [{ ...orderBody, currency: 'amd' }, 'currency'],
        [{ ...orderBody, currency: 'GBP' }, 'currency'],
        [{ ...orderBody, customer: { phone: '091234567' } }, 'customer.phone'],
        [{ ...orderBody, returnUrl: 'not a url' }, 'returnUrl'],
        [{ ...orderBody, expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
        [{ ...orderBody, metadata: [1] }, 'metadata'],
      ];
      for (const [index, [body, field]] of cases.entries()) {
        const res = await create(body, `bad-${index}`);
        expect([res.status, (await apiError(res)).field]).toEqual([422, field]);
      }
    });

    it('answers 429 with Retry-After above the rate limit', async () => {
      await start({ rateLimitPerSecond: 2 });
      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push(await api('/v1/capabilities'));
      expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
      expect(statuses[2].headers.get('retry-after')).toBe('1');
      expect((await apiError(statuses[2])).code).toBe('rate_limited');
    });

    it('fails the next status lookups on demand', async () => {
      const session = vpos.createSession(orderBody);
      vpos.failLookups(2);
      expect((await api(`/v1/payment-sessions/${session.id}`)).status).toBe(503);
      const faults = await fetch(`${vpos.url}/_emulator/faults`, {
        method: 'POST',
        body: JSON.stringify({ lookupFailures: 1, status: 500 }),
      });
      expect(await faults.json()).toEqual({ lookupFailures: 1, status: 500 });
      expect((await api(`/v1/payment-sessions/${session.id}`)).status).toBe(500);
      expect((await api(`/v1/payment-sessions/${session.id}`)).status).toBe(200);
    });
  });

  describe('webhooks', () => {
    it('matches the Standard Webhooks specification test vector', () => {
      const signature = standardWebhookSignature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', {
        webhookId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        timestamp: 1614265330,
        body: '{"test": 2432232314}',
      });
      expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    });

    it('sends a Standard Webhooks signed event on every status change', async () => {
      const session = vpos.createSession(orderBody);
      const res = await fetch(`${vpos.url}/_emulator/sessions/${session.id}/status`, {
        method: 'POST',
        body: JSON.stringify({ status: 'paid' }),
      });
      expect(res.status).toBe(200);
      const { event } = await json<SetStatusResult>(res);
      await vpos.waitForDeliveries();

      expect(receiver.requests).toHaveLength(1);
      const [{ headers, body }] = receiver.requests;
      expect(headers['content-type']).toBe('application/json');
      expect(headers['webhook-id']).toBe(event.webhookId);
      expect(headers['webhook-id']).toMatch(/^msg_/);
      const timestamp = String(headers['webhook-timestamp']);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
      expect(headers['webhook-signature']).toBe(
        standardSignature(event.webhookId, timestamp, body),
      );
      const parsed = JSON.parse(body);
      expect(parsed).toEqual({
        id: event.id,
        type: 'payment.paid',
        createdAt: expect.any(String),
        data: {
          id: session.id,
          merchantOrderId: 'order-1001',
          amountMinor: 1250000,
          currency: 'AMD',
          status: 'paid',
        },
      });
      expect(parsed.id).toMatch(/^evt_/);
      expect(vpos.getSession(session.id)?.paidAt).toEqual(expect.any(String));
      expect(vpos.deliveryLog()[0]).toMatchObject({ status: 'delivered', kind: 'original' });
    });

    it('signs with plain HMAC-SHA256 in a configurable header and encoding', async () => {
      await start({
        signatureScheme: 'hmac-sha256',
        webhookSecret: 'plain-secret',
        hmacHeader: 'X-Signature',
        hmacEncoding: 'base64',
      });
      const session = vpos.createSession(orderBody);
      vpos.setStatus(session.id, 'failed');
      await vpos.waitForDeliveries();
      const [{ headers, body }] = receiver.requests;
      const expected = createHmac('sha256', 'plain-secret').update(body).digest('base64');
      expect(headers['x-signature']).toBe(expected);
      expect(headers['webhook-signature']).toBeUndefined();
    });

    it('retries non-2xx answers with the same webhook-id, then gives up', async () => {
      receiver.answers.push(500, 503);
      const session = vpos.createSession(orderBody);
      vpos.setStatus(session.id, 'paid');
      let [delivery] = await vpos.waitForDeliveries();
      expect(delivery.status).toBe('delivered');
      expect(delivery.attempts.map((a) => a.statusCode)).toEqual([500, 503, 204]);
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);

      receiver.answers.push(500, 500, 500);
      vpos.setStatus(session.id, 'refunded');
      [, delivery] = await vpos.waitForDeliveries();
      expect(delivery.status).toBe('failed');
      expect(delivery.attempts).toHaveLength(3);
    });

    it('records a network failure as a failed attempt', async () => {
      await start({ webhookRetryDelaysMs: [] });
      vpos.setWebhookUrl('http://127.0.0.1:1/closed');
      vpos.setStatus(vpos.createSession(orderBody).id, 'paid');
      const [delivery] = await vpos.waitForDeliveries();
      expect(delivery.status).toBe('failed');
      expect(delivery.attempts[0].error).toEqual(expect.any(String));
    });

    it('sends duplicates, suppresses, holds and reorders on demand', async () => {
      const a = vpos.createSession(orderBody);
      const b = vpos.createSession({ ...orderBody, merchantOrderId: 'order-1002' });
      const { event } = vpos.setStatus(a.id, 'paid', { webhook: { duplicates: 2 } });
      await vpos.waitForDeliveries();
      expect(receiver.requests).toHaveLength(3);
      expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);

      receiver.requests.length = 0;
      const missed = vpos.setStatus(a.id, 'partially_refunded', {
        refundedAmountMinor: 500000,
        webhook: { suppress: true },
      });
      expect(missed.session.refundedAmountMinor).toBe(500000);
      vpos.setStatus(b.id, 'pending', { webhook: { hold: true } });
      vpos.setStatus(b.id, 'paid', { webhook: { hold: true } });
      await vpos.waitForDeliveries();
      expect(receiver.requests).toHaveLength(0);
      expect(vpos.listEvents().map((e) => e.disposition)).toEqual([
        'sent',
        'suppressed',
        'held',
        'held',
      ]);

      const flushed = await vpos.flushHeld({ order: 'reverse' });
      expect(flushed.map((e) => e.type)).toEqual(['payment.paid', 'payment.pending']);
      await vpos.waitForDeliveries();
      expect(receiver.requests.map((r) => JSON.parse(r.body).type)).toEqual([
        'payment.paid',
        'payment.pending',
      ]);

      receiver.requests.length = 0;
      await vpos.sendEvent(missed.event.id);
      const resend = await fetch(`${vpos.url}/_emulator/webhooks/${event.id}/resend`, {
        method: 'POST',
      });
      expect(resend.status).toBe(200);
      await vpos.waitForDeliveries();
      expect(receiver.requests.map((r) => JSON.parse(r.body).data.status)).toEqual([
        'partially_refunded',
        'paid',
      ]);
      expect(receiver.requests[1].headers['webhook-id']).toBe(event.webhookId);
    });

    it('sends raw, tampered, stale and wrong-secret payloads', async () => {
      receiver.answers.push(401);
      const result = await vpos.sendRaw({ hello: 'world' }, { timestamp: 1000 });
      expect(result.status).toBe(401);
      const [{ headers, body }] = receiver.requests;
      expect(body).toBe('{"hello":"world"}');
      expect(headers['webhook-timestamp']).toBe('1000');
      expect(headers['webhook-signature']).toBe(
        standardSignature(String(headers['webhook-id']), '1000', body),
      );

      const other = `whsec_${Buffer.from('another-key').toString('base64')}`;
      await vpos.sendRaw('{"x":1}', { secret: other, headers: { 'x-extra': 'yes' } });
      await vpos.sendRaw('{"x":2}', { sign: false });
      const [, wrong, unsigned] = receiver.requests;
      expect(wrong.headers['webhook-signature']).not.toBe(
        standardSignature(
          String(wrong.headers['webhook-id']),
          String(wrong.headers['webhook-timestamp']),
          wrong.body,
        ),
      );
      expect(wrong.headers['x-extra']).toBe('yes');
      expect(unsigned.headers['webhook-signature']).toBeUndefined();
      expect(unsigned.headers['webhook-id']).toEqual(expect.any(String));
    });
  });

  describe('status machine and expiry', () => {
    it('allows only documented transitions', async () => {
      const session = vpos.createSession(orderBody);
      expect(() => vpos.setStatus(session.id, 'refunded')).toThrow(/cannot move/);
      vpos.setStatus(session.id, 'paid');
      expect(() => vpos.setStatus(session.id, 'partially_refunded')).toThrow(/refundedAmountMinor/);
      vpos.setStatus(session.id, 'partially_refunded', { refundedAmountMinor: 100 });
      vpos.setStatus(session.id, 'partially_refunded', { refundedAmountMinor: 200 });
      const { session: refunded } = vpos.setStatus(session.id, 'refunded');
      expect(refunded.refundedAmountMinor).toBe(1250000);
      const res = await fetch(`${vpos.url}/_emulator/sessions/${session.id}/status`, {
        method: 'POST',
        body: JSON.stringify({ status: 'paid' }),
      });
      expect(res.status).toBe(409);
      expect((await apiError(res)).code).toBe('invalid_transition');
      await vpos.waitForDeliveries();
      const types = receiver.requests.map((r) => JSON.parse(r.body));
      expect(types.map((e) => e.type)).toEqual([
        'payment.paid',
        'payment.partially_refunded',
        'payment.partially_refunded',
        'payment.refunded',
      ]);
      expect(types[3].data.refundedAmountMinor).toBe(1250000);
    });

    it('expires an open session once, on read or by the sweep', async () => {
      await start({ expirySweepIntervalMs: 20 });
      const expiresAt = new Date(Date.now() + 60).toISOString();
      const read = vpos.createSession({ ...orderBody, expiresAt });
      const swept = vpos.createSession({ ...orderBody, merchantOrderId: 'order-2', expiresAt });
      await new Promise((resolve) => setTimeout(resolve, 120));
      const first = await api(`/v1/payment-sessions/${read.id}`);
      expect(((await first.json()) as VposSession).status).toBe('expired');
      await api(`/v1/payment-sessions/${read.id}`);
      expect(vpos.getSession(swept.id)?.status).toBe('expired');
      await vpos.waitForDeliveries();
      const expired = vpos.listEvents().filter((e) => e.type === 'payment.expired');
      expect(expired.map((e) => e.sessionId).sort()).toEqual([read.id, swept.id].sort());
    });
  });

  describe('hosted checkout', () => {
    it('shows the order, moves to pending and redirects to returnUrl after Pay', async () => {
      const session = vpos.createSession({
        ...orderBody,
        returnUrl: 'https://shop.example.am/return?x=1',
      });
      const page = await fetch(`${vpos.url}/checkout/${session.id}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('order-1001');
      expect(html).toContain('12 500.00 ֏');
      expect(html).toContain('Two tickets');
      for (const action of ['pay', 'fail', 'cancel']) {
        expect(html).toContain(`action="/checkout/${session.id}/${action}"`);
      }
      expect(vpos.getSession(session.id)?.status).toBe('pending');

      const pay = await fetch(`${vpos.url}/checkout/${session.id}/pay`, {
        method: 'POST',
        redirect: 'manual',
      });
      expect(pay.status).toBe(303);
      const location = new URL(String(pay.headers.get('location')));
      expect(location.origin + location.pathname).toBe('https://shop.example.am/return');
      expect(Object.fromEntries(location.searchParams)).toEqual({
        x: '1',
        sessionId: session.id,
        status: 'paid',
      });

      const final = await (await fetch(`${vpos.url}/checkout/${session.id}`)).text();
      expect(final).toContain('data-status="paid"');
      expect(final).not.toContain('<form');
      await vpos.waitForDeliveries();
      expect(receiver.requests.map((r) => JSON.parse(r.body).type)).toEqual([
        'payment.pending',
        'payment.paid',
      ]);
    });

    it('uses a result page without returnUrl, and 404s an unknown session', async () => {
      const session = vpos.createSession({ ...orderBody, currency: 'USD', amountMinor: 5 });
      const cancel = await fetch(`${vpos.url}/checkout/${session.id}/cancel`, {
        method: 'POST',
        redirect: 'manual',
      });
      expect(cancel.status).toBe(303);
      expect(cancel.headers.get('location')).toBe(`/checkout/${session.id}/result`);
      const result = await (await fetch(`${vpos.url}/checkout/${session.id}/result`)).text();
      expect(result).toContain('0.05 $');
      expect(result).toContain('cancelled');
      const unknown = await fetch(`${vpos.url}/checkout/ps_missing`);
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toContain('text/html');
    });
  });

  describe('controls', () => {
    it('lists sessions, events and deliveries over HTTP and resets', async () => {
      const created = await fetch(`${vpos.url}/_emulator/sessions`, {
        method: 'POST',
        body: JSON.stringify(orderBody),
      });
      expect(created.status).toBe(201);
      const session = (await created.json()) as VposSession;
      vpos.setStatus(session.id, 'cancelled');
      await vpos.waitForDeliveries();
      const get = async (path: string): Promise<unknown[]> =>
        (await (await fetch(`${vpos.url}/_emulator/${path}`)).json()) as unknown[];
      expect(await get('sessions')).toHaveLength(1);
      expect(await get('events')).toHaveLength(1);
      expect(await get('deliveries')).toHaveLength(1);
      vpos.reset();
      expect(vpos.listSessions()).toEqual([]);
      expect(vpos.listEvents()).toEqual([]);
      expect(vpos.deliveryLog()).toEqual([]);
    });

    it('times out waitForDeliveries when a predicate never holds', async () => {
      await expect(vpos.waitForDeliveries((log) => log.length > 0, 50)).rejects.toThrow(
        /timed out/,
      );
    });
  });
});
