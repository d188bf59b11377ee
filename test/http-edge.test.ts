import { connect } from 'node:net';
import { HTTP_TIMEOUTS } from '../src/common/http-setup';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TestDatabase,
  TestHub,
} from './support/test-hub';

/** Opens a raw connection, writes `head`, then trickles `drip` (one byte per second) forever. */
function stall(hub: TestHub, head: string, drip = '') {
  const { hostname, port } = new URL(hub.url);
  const socket = connect(Number(port), hostname);
  const started = Date.now();
  let answer = '';
  let sent = 0;
  socket.setEncoding('utf8');
  socket.on('data', (c: string) => (answer += c));
  socket.on('error', () => undefined);
  socket.write(head);
  const timer = setInterval(() => {
    if (sent < drip.length && !socket.destroyed) socket.write(drip[sent++]);
  }, 1000);
  return new Promise<{ seconds: number; answer: string }>((resolve) => {
    const done = () => {
      clearInterval(timer);
      resolve({ seconds: (Date.now() - started) / 1000, answer });
    };
    socket.on('close', done);
    // Give up well after the hub should have cut it (Node's own default is ~5 minutes).
    setTimeout(() => socket.destroy(), 50_000).unref();
  });
}

describe('HTTP edge: slow clients, headers', () => {
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

  it('a client that never finishes its headers gets 408 and is cut off within seconds', async () => {
    const cut = await stall(
      hub,
      'GET /health/live HTTP/1.1\r\nHost: hub\r\nX-Slow: ',
      'a'.repeat(60),
    );
    expect(cut.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(cut.seconds).toBeGreaterThanOrEqual(HTTP_TIMEOUTS.headersMs / 1000 - 1);
    expect(cut.seconds).toBeLessThan(HTTP_TIMEOUTS.headersMs / 1000 + 5);
  }, 60_000);

  it('a body trickled byte by byte is cut off by the request timeout', async () => {
    const head =
      'POST /webhooks/vpos HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n' +
      'Content-Length: 100\r\n\r\n';
    const cut = await stall(hub, head, 'x'.repeat(99));
    expect(cut.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(cut.seconds).toBeLessThan(HTTP_TIMEOUTS.requestMs / 1000 + 5);
  }, 60_000);

  it('does not announce Express', async () => {
    for (const path of ['/health/live', '/api/deliveries', '/nope']) {
      const res = await fetch(`${hub.url}${path}`);
      expect([path, res.headers.get('x-powered-by')]).toEqual([path, null]);
    }
  });

  it('a boolean query parameter other than true/false is a 422, not a real replay', async () => {
    for (const value of ['maybe', '1', 'yes']) {
      const res = await fetch(`${hub.url}/api/payments/order-1/replay?dryRun=${value}`, {
        method: 'POST',
        headers: adminHeaders,
      });
      expect([value, res.status]).toEqual([value, 422]);
      expect(((await res.json()) as { message: string }).message).toBe(
        'dryRun must be true or false',
      );
    }
  });
});
