import request from 'supertest';
import { startVposEmulator, VposEmulator } from '../sandbox/vpos/vpos-emulator';
import { sessionBody } from './factories/sessions';
import { spawnMain } from './support/spawn-main';
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

describe('APP_ROLE: api and worker scale separately', () => {
  let db: TestDatabase;
  let api: TestHub;
  let worker: TestHub | undefined;
  let vpos: VposEmulator;

  beforeAll(async () => {
    db = await createTestDatabase();
    vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: TEST_WEBHOOK_SECRET,
      webhookRetryDelaysMs: [],
    });
    api = await startTestHub(db, {
      VPOS_API_BASE_URL: vpos.url,
      APP_ROLE: 'api',
      QUEUE_PREFIX: 'roles_test',
    });
    vpos.setWebhookUrl(`${api.url}/webhooks/vpos`);
  });
  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await vpos?.close();
    await db?.drop();
  });

  it('the api stores webhooks; only a worker verifies them', async () => {
    const s = vpos.createSession(sessionBody());
    vpos.setStatus(s.id, 'paid');
    await vpos.waitForDeliveries();
    await new Promise((r) => setTimeout(r, 500));
    const pending = await request(api.url)
      .get(`/api/payments/${s.merchantOrderId}`)
      .set(adminHeaders);
    expect(pending.status).toBe(404);
    expect(Number((await db.ds.query(`SELECT count(*) AS n FROM outbox`))[0].n)).toBe(1);

    worker = await startTestHub(db, {
      VPOS_API_BASE_URL: vpos.url,
      APP_ROLE: 'worker',
      QUEUE_PREFIX: 'roles_test',
    });
    // The worker serves health and metrics, not the API or the webhook.
    expect((await request(worker.url).get('/health/ready')).status).toBe(200);
    expect((await request(worker.url).post('/webhooks/vpos').send('{}')).status).toBe(404);

    await waitFor(async () => {
      const res = await request(api.url)
        .get(`/api/payments/${s.merchantOrderId}`)
        .set(adminHeaders);
      return res.body.status === 'paid';
    });
  });
});

describe('start-up configuration check', () => {
  it('a bad or missing variable stops the start with one message naming each', () => {
    const run = spawnMain({ PORT: 'x', APP_ROLE: 'both', ADMIN_TOKEN: 'short' });
    expect(run.status).toBe(1);
    for (const name of [
      'PORT',
      'APP_ROLE',
      'ADMIN_TOKEN',
      'ENCRYPTION_KEY',
      'VPOS_WEBHOOK_SECRETS',
    ]) {
      expect(run.stderr).toContain(name);
    }
    expect(run.stderr.match(/Invalid configuration/g)).toHaveLength(1);
  });
});
