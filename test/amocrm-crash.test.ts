import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { AmocrmEmulator, startAmocrmEmulator } from '../sandbox/amocrm/amocrm-emulator';
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

describe('amoCRM connector: a worker killed between the lead create and the commit', () => {
  let db: TestDatabase;
  let vpos: VposEmulator;
  let amo: AmocrmEmulator;
  let api: TestHub | undefined;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: TEST_WEBHOOK_SECRET,
      webhookRetryDelaysMs: [200, 500, 1000],
    });
    amo = await startAmocrmEmulator();
  });
  afterAll(async () => {
    for (const c of children.splice(0)) await killHard(c);
    await api?.close();
    await vpos?.close();
    await amo?.close();
    await db?.drop();
  });

  it('with the search index lagging, the retry finds the lead through crm_entities: one lead, one note', async () => {
    const env = testEnv(db, {
      VPOS_API_BASE_URL: vpos.url,
      CONNECTOR_INSECURE_HOSTS: amo.host,
      DELIVERY_LEASE_SECONDS: '3',
      SWEEP_INTERVAL_MS: '500',
    });
    api = await startTestHub(db, { ...env, APP_ROLE: 'api' });
    vpos.setWebhookUrl(`${api.url}/webhooks/vpos`);
    const orderField = amo.createCustomField({ name: 'Order ID', type: 'text' }).id;
    const conn = await request(api.url)
      .post('/api/connections')
      .set(adminHeaders)
      .send({
        type: 'amocrm',
        mode: 'token',
        displayName: 'Sales',
        settings: { host: amo.host, orderIdField: orderField, createLeads: true },
        credentials: { token: amo.issueLongLivedToken() },
      });
    expect(conn.status).toBe(201);
    // The index stays behind for the whole test: `query` never sees the new lead.
    amo.setSearchLag(60 * 60_000);

    let current = await startChildWorker(env);
    children.push(current);
    let kills = 0;
    amo.setBeforeHandle(async ({ method, path }) => {
      // The lead exists; the worker dies on the notes request, before its commit.
      if (method !== 'POST' || path !== '/api/v4/leads/notes' || kills > 0) return;
      kills++;
      await killHard(current);
      current = await startChildWorker(env);
      children.push(current);
    });

    const s = pay(vpos, { metadata: {} });
    const [row] = await untilDelivered(db, s.merchantOrderId, 'delivered after the crash');
    expect(kills).toBe(1);
    expect(row.attempts).toBe(2);
    const leads = amo
      .listLeads()
      .filter((l) =>
        l.custom_fields_values?.some((f) =>
          f.values.some((v) => f.field_id === orderField && v.value === s.merchantOrderId),
        ),
      );
    expect(leads).toHaveLength(1);
    expect(amo.counters().leadsCreated).toBe(1);
    expect(leads[0].status_id).toBe(142);
    expect(amo.listNotes(leads[0].id)).toHaveLength(1);
    const recorded = await db.ds.query<{ external_id: string }[]>(
      `SELECT external_id FROM crm_entities
       WHERE connection_id = $1 AND order_id = $2 AND entity_type = 'lead'`,
      [conn.body.id, s.merchantOrderId],
    );
    expect(recorded).toEqual([{ external_id: String(leads[0].id) }]);
  }, 120000);
});
