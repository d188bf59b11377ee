import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { Bitrix24Emulator, startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { startVposEmulator, VposEmulator } from '../sandbox/vpos/vpos-emulator';
import { killHard, startChildWorker } from './support/child-worker';
import { pay, untilDelivered } from './support/delivery-fixtures';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TEST_VPOS_TOKEN,
  TEST_WEBHOOK_SECRET,
  TestDatabase,
  TestHub,
  testEnv,
} from './support/test-hub';

describe('Bitrix24 connector: a worker killed between the call and the commit', () => {
  let db: TestDatabase;
  let vpos: VposEmulator;
  let b24: Bitrix24Emulator;
  let api: TestHub | undefined;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: TEST_WEBHOOK_SECRET,
      webhookRetryDelaysMs: [200, 500, 1000],
    });
    b24 = await startBitrix24Emulator({ portals: [{ name: 'shop', webhooks: [{ code: 'hk1' }] }] });
  });
  afterAll(async () => {
    for (const c of children.splice(0)) await killHard(c);
    await api?.close();
    await vpos?.close();
    await b24?.close();
    await db?.drop();
  });

  it('the created deal and its comment exist once after the retry', async () => {
    const env = testEnv(db, {
      VPOS_API_BASE_URL: vpos.url,
      CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port}`,
      DELIVERY_LEASE_SECONDS: '3',
      SWEEP_INTERVAL_MS: '500',
    });
    api = await startTestHub(db, { ...env, APP_ROLE: 'api' });
    vpos.setWebhookUrl(`${api.url}/webhooks/vpos`);
    const conn = await request(api.url)
      .post('/api/connections')
      .set(adminHeaders)
      .send({
        type: 'bitrix24',
        mode: 'webhook',
        displayName: 'shop',
        credentials: { webhookUrl: b24.portal('shop').webhooks[0].url },
        settings: { createDeals: true },
      });
    expect(conn.status).toBe(201);

    let current = await startChildWorker(env);
    children.push(current);
    let kills = 0;
    b24.setBeforeRespond(async ({ method }) => {
      // The deal and the comment are written; the worker dies before it hears back.
      if (method !== 'batch' || kills > 0 || b24.listComments().length === 0) return;
      kills++;
      await killHard(current);
      current = await startChildWorker(env);
      children.push(current);
    });

    const s = pay(vpos, { metadata: {} });
    const [row] = await untilDelivered(db, s.merchantOrderId, 'delivered after the crash');
    expect(kills).toBe(1);
    expect(row.attempts).toBe(2);
    const deals = b24.listDeals().filter((d) => d.ORIGIN_ID === s.merchantOrderId);
    expect(deals).toHaveLength(1);
    expect(deals[0].STAGE_ID).toBe('WON');
    expect(b24.listComments({ entityId: Number(deals[0].ID) })).toHaveLength(1);
  }, 120000);
});
