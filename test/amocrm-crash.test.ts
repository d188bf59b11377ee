import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { AmocrmEmulator, startAmocrmEmulator } from '../sandbox/amocrm/amocrm-emulator';
import { killHard, useWorkerStack } from './support/child-worker';
import { pay, untilDelivered } from './support/delivery-fixtures';
import { adminHeaders } from './support/test-hub';

describe('amoCRM connector: a worker killed between the lead create and the commit', () => {
  let amo: AmocrmEmulator;
  beforeAll(async () => {
    amo = await startAmocrmEmulator();
  });
  const stack = useWorkerStack(() => ({ CONNECTOR_INSECURE_HOSTS: amo.host }));
  afterAll(() => amo?.close());

  it('with the search index lagging, the retry finds the lead through crm_entities: one lead, one note', async () => {
    const { db, vpos } = stack;
    const orderField = amo.createCustomField({ name: 'Order ID', type: 'text' }).id;
    const conn = await request(stack.api.url)
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

    let current: ChildProcess = await stack.startWorker();
    let kills = 0;
    amo.setBeforeHandle(async ({ method, path }) => {
      // The lead exists; the worker dies on the notes request, before its commit.
      if (method !== 'POST' || path !== '/api/v4/leads/notes' || kills > 0) return;
      kills++;
      await killHard(current);
      current = await stack.startWorker();
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
  }, 240_000);
});
