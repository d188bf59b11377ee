import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import type { QueryRunner } from 'typeorm';
import { Bitrix24Emulator, startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { killHard, useWorkerStack } from './support/child-worker';
import { pay, untilDelivered } from './support/delivery-fixtures';
import { adminHeaders, waitFor } from './support/test-hub';

describe('Bitrix24 connector: a worker killed between the call and the commit', () => {
  let b24: Bitrix24Emulator;
  let current: ChildProcess;
  beforeAll(async () => {
    b24 = await startBitrix24Emulator({ portals: [{ name: 'shop', webhooks: [{ code: 'hk1' }] }] });
  });
  const stack = useWorkerStack(() => ({ CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port}` }));
  beforeAll(async () => {
    const conn = await request(stack.api.url)
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
    current = await stack.startWorker();
  });
  afterAll(() => b24?.close());
  const restartWorker = async () => {
    await killHard(current);
    current = await stack.startWorker();
  };

  const dealsOf = (orderId: string) => b24.listDeals().filter((d) => d.ORIGIN_ID === orderId);

  it('the created deal and its comment exist once after the retry', async () => {
    let kills = 0;
    b24.setBeforeRespond(async ({ method }) => {
      // The deal and the comment are written; the worker dies before it hears back.
      if (method !== 'batch' || kills > 0 || b24.listComments().length === 0) return;
      kills++;
      await restartWorker();
    });

    const s = pay(stack.vpos, { metadata: {} });
    const [row] = await untilDelivered(stack.db, s.merchantOrderId, 'delivered after the crash');
    expect(kills).toBe(1);
    expect(row.attempts).toBe(2);
    const deals = dealsOf(s.merchantOrderId);
    expect(deals).toHaveLength(1);
    expect(deals[0].STAGE_ID).toBe('WON');
    expect(b24.listComments({ entityId: Number(deals[0].ID) })).toHaveLength(1);
  }, 240_000);

  it('killed after the deal is recorded: the retry reads crm_entities, no order-id search', async () => {
    let locker: QueryRunner | undefined;
    let crashed = false;
    let orderSearches = 0;
    b24.setBeforeRespond(async ({ method, params }) => {
      const sent = JSON.stringify(params);
      if (crashed && method === 'batch' && /@ORIGIN_ID|%40ORIGIN_ID/.test(sent)) orderSearches++;
      if (method !== 'batch' || locker || !sent.includes('crm.deal.add')) return;
      // The worker hears back and records the deal, then blocks on its commit until killed.
      locker = stack.db.ds.createQueryRunner();
      await locker.connect();
      await locker.startTransaction();
      await locker.query(`SELECT id FROM deliveries WHERE status = 'in_progress' FOR UPDATE`);
    });

    const s = pay(stack.vpos, { metadata: {} });
    const [recorded] = await waitFor(
      async () => {
        const rows = await stack.db.ds.query<{ external_id: string }[]>(
          `SELECT external_id FROM crm_entities WHERE order_id = $1 AND entity_type = 'deal'`,
          [s.merchantOrderId],
        );
        return rows.length > 0 ? rows : undefined;
      },
      60000,
      'the new deal recorded',
    );
    await killHard(current);
    crashed = true;
    await locker!.rollbackTransaction();
    await locker!.release();
    await restartWorker();

    const [row] = await untilDelivered(stack.db, s.merchantOrderId, 'delivered after the crash');
    expect(row.attempts).toBe(2);
    const deals = dealsOf(s.merchantOrderId);
    expect(deals.map((d) => String(d.ID))).toEqual([recorded.external_id]);
    expect(b24.listComments({ entityId: Number(deals[0].ID) })).toHaveLength(1);
    expect(orderSearches).toBe(0);
  }, 240_000);
});
