import request from 'supertest';
import { startVposEmulator, VposEmulator } from '../sandbox/vpos/vpos-emulator';
import { sessionBody } from './factories/sessions';
import { journal } from './support/journal-queries';
import { freePort, OwnRedis } from './support/redis-server';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TEST_VPOS_TOKEN,
  TEST_WEBHOOK_SECRET,
  TestDatabase,
  TestHub,
  waitFor,
} from './support/test-hub';

describe('Redis stopped during intake', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let vpos: VposEmulator;
  let redis: OwnRedis;

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    db = await createTestDatabase();
    vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: TEST_WEBHOOK_SECRET,
      webhookRetryDelaysMs: [],
    });
    hub = await startTestHub(db, { VPOS_API_BASE_URL: vpos.url, REDIS_URL: redis.url });
    vpos.setWebhookUrl(`${hub.url}/webhooks/vpos`);
  });

  afterAll(async () => {
    await hub?.close();
    await vpos?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('webhooks still get 2xx and every event is queued and verified once Redis returns', async () => {
    const j = journal(db.ds);
    // Warm path first: with Redis up an event flows end to end.
    const warm = vpos.createSession(sessionBody());
    vpos.setStatus(warm.id, 'paid');
    await waitFor(
      async () => (await j.unprocessed()) === 0 && (await j.count('payment_events')) === 1,
    );

    await redis.stop();
    const ready = await request(hub.url).get('/health/ready');
    expect(ready.status).toBe(503);

    const sessions = [];
    for (let i = 0; i < 20; i++) sessions.push(vpos.createSession(sessionBody()));
    const eventIds = new Set(sessions.map((s) => vpos.setStatus(s.id, 'paid').event.id));
    await vpos.waitForDeliveries();
    const ours = vpos.deliveryLog().filter((d) => eventIds.has(d.eventId));
    expect(ours).toHaveLength(20);
    for (const d of ours) expect(d.attempts.map((a) => a.statusCode)).toEqual([200]);

    // Stored durably and waiting in the outbox, nothing verified yet.
    expect(await j.count('webhook_events')).toBe(21);
    expect(await j.count('outbox')).toBe(20);
    expect(await j.unprocessed()).toBe(20);

    await redis.start();
    await waitFor(async () => (await j.count('outbox')) === 0, 20000, 'outbox drained');
    await waitFor(async () => (await j.unprocessed()) === 0, 30000, 'all verified');
    for (const s of sessions) {
      const res = await request(hub.url)
        .get(`/api/payments/${s.merchantOrderId}`)
        .set(adminHeaders);
      expect(res.body.status).toBe('paid');
      expect(res.body.events).toHaveLength(1);
    }
    expect(await j.count('payment_events')).toBe(21);
  });
});
