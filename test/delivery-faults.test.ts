import type { ChildProcess } from 'node:child_process';
import { startVposEmulator, VposEmulator } from '../sandbox/vpos/vpos-emulator';
import { WebhookReceiver } from '../sandbox/webhook-receiver/webhook-receiver';
import { killHard, startChildWorker } from './support/child-worker';
import { addWebhookConnection, pay, untilDelivered } from './support/delivery-fixtures';
import { freePort, OwnRedis } from './support/redis-server';
import {
  createTestDatabase,
  startTestHub,
  TEST_VPOS_TOKEN,
  TEST_WEBHOOK_SECRET,
  TestDatabase,
  TestHub,
  testEnv,
  waitFor,
} from './support/test-hub';

const openCount = async (db: TestDatabase) =>
  Number(
    (
      await db.ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM deliveries WHERE status <> 'delivered'`,
      )
    )[0].n,
  );
const deliveredCount = async (db: TestDatabase) =>
  Number(
    (
      await db.ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM deliveries WHERE status = 'delivered'`,
      )
    )[0].n,
  );

describe('delivery faults', () => {
  let db: TestDatabase;
  let vpos: VposEmulator;
  let receiver: WebhookReceiver;
  const hubs: TestHub[] = [];
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    receiver = await new WebhookReceiver().start();
    vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: TEST_WEBHOOK_SECRET,
      webhookRetryDelaysMs: [200, 500, 1000],
    });
  });
  afterEach(async () => {
    for (const c of children.splice(0)) await killHard(c);
    for (const h of hubs.splice(0)) await h.close();
    await vpos.close();
    await receiver.close();
    await db.drop();
  });

  it('a worker SIGKILLed between the CRM call and the commit, twice, leaves one effect', async () => {
    const env = testEnv(db, {
      VPOS_API_BASE_URL: vpos.url,
      CONNECTOR_INSECURE_HOSTS: receiver.hostPort,
      DELIVERY_LEASE_SECONDS: '3',
      SWEEP_INTERVAL_MS: '500',
    });
    const api = await startTestHub(db, { ...env, APP_ROLE: 'api' });
    hubs.push(api);
    vpos.setWebhookUrl(`${api.url}/webhooks/vpos`);
    await addWebhookConnection(api, receiver);

    let current = await startChildWorker(env);
    children.push(current);
    let kills = 0;
    receiver.setBeforeRespond(async () => {
      // The effect is applied; the worker dies before it hears back or commits.
      if (kills >= 2) return;
      kills++;
      const victim = current;
      await killHard(victim);
      current = await startChildWorker(env);
      children.push(current);
    });

    const s = pay(vpos);
    const [row] = await untilDelivered(db, s.merchantOrderId, 'delivered after two crashes');
    expect(kills).toBe(2);
    expect(row.attempts).toBe(3);
    expect(receiver.eventsFor(s.merchantOrderId)).toHaveLength(1);
    expect(receiver.stats.duplicates).toBe(2);
  }, 120000);

  it('Redis restarted under load: nothing lost, each effect once', async () => {
    const redis = new OwnRedis(await freePort());
    await redis.start();
    try {
      const hub = await startTestHub(db, {
        VPOS_API_BASE_URL: vpos.url,
        REDIS_URL: redis.url,
        CONNECTOR_INSECURE_HOSTS: receiver.hostPort,
        SWEEP_INTERVAL_MS: '500',
      });
      hubs.push(hub);
      vpos.setWebhookUrl(`${hub.url}/webhooks/vpos`);
      // Slow enough that the outage lands mid-backlog.
      await addWebhookConnection(hub, receiver, { rateLimit: { capacity: 2, refillPerSecond: 8 } });
      const sessions = Array.from({ length: 40 }, () => pay(vpos));
      await waitFor(async () => (await deliveredCount(db)) >= 5, 20000, 'first deliveries');
      await redis.stop();
      await new Promise((r) => setTimeout(r, 1500));
      await redis.start();
      await waitFor(
        async () => (await deliveredCount(db)) === sessions.length && (await openCount(db)) === 0,
        60000,
        'all delivered after the restart',
      );
      for (const s of sessions) expect(receiver.eventsFor(s.merchantOrderId)).toHaveLength(1);
      expect(receiver.applied.size).toBe(40);
    } finally {
      // Close the hub while its Redis still answers, or BullMQ waits for it forever.
      for (const h of hubs.splice(0)) await h.close();
      await redis.stop();
    }
  }, 120000);

  it('two workers on one backlog apply each delivery once', async () => {
    const env = testEnv(db, {
      VPOS_API_BASE_URL: vpos.url,
      CONNECTOR_INSECURE_HOSTS: receiver.hostPort,
    });
    const a = await startTestHub(db, env);
    const b = await startTestHub(db, { ...env, APP_ROLE: 'worker' });
    hubs.push(a, b);
    vpos.setWebhookUrl(`${a.url}/webhooks/vpos`);
    await addWebhookConnection(a, receiver, {
      rateLimit: { capacity: 1000, refillPerSecond: 1000 },
    });
    const sessions = Array.from({ length: 80 }, () => pay(vpos));
    await waitFor(async () => (await deliveredCount(db)) === 80, 60000, 'backlog drained');
    expect(receiver.applied.size).toBe(80);
    expect(receiver.stats.duplicates).toBe(0);
    for (const s of sessions) expect(receiver.eventsFor(s.merchantOrderId)).toHaveLength(1);
  }, 90000);
});
