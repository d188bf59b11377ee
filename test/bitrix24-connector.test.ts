import request from 'supertest';
import { Bitrix24Emulator, startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { sessionBody } from './factories/sessions';
import { pay } from './support/delivery-fixtures';
import { consent } from './support/oauth-flow';
import { startStack, Stack } from './support/stack';
import { freePort } from './support/redis-server';
import { adminHeaders, waitFor } from './support/test-hub';

const CLIENT_ID = 'local.hub.000001';
const CLIENT_SECRET = 'b24-app-secret';

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  external_id: string | null;
  external_url: string | null;
  last_error_code: string | null;
  last_error: string | null;
}

describe('Bitrix24 connector against the emulator', () => {
  let stack: Stack;
  let b24: Bitrix24Emulator;

  beforeAll(async () => {
    const port = await freePort();
    b24 = await startBitrix24Emulator({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: `http://127.0.0.1:${port}/oauth/bitrix24/callback`,
      autoApprove: true,
      portals: [
        {
          name: 'shop',
          userFields: [{ fieldName: 'PAYMENT_ID' }, { fieldName: 'PAY_LINK', userTypeId: 'url' }],
          webhooks: [{ code: 'hookshop1' }],
        },
        { name: 'oauthportal', webhooks: [{ code: 'hookother1' }] },
      ],
    });
    b24.addCategory({ portal: 'shop', id: 3, name: 'Wholesale' });
    stack = await startStack({
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      BITRIX24_CLIENT_ID: CLIENT_ID,
      BITRIX24_CLIENT_SECRET: CLIENT_SECRET,
      BITRIX24_OAUTH_SERVER: b24.oauthServerUrl,
      CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port}`,
    });
  });
  afterAll(async () => {
    await stack?.close();
    await b24?.close();
  });

  const api = () => request(stack.hub.url);
  const hookUrl = (portal = 'shop') => b24.portal(portal).webhooks[0].url;

  const connect = async (settings: Record<string, unknown>, portal = 'shop') => {
    const res = await api()
      .post('/api/connections')
      .set(adminHeaders)
      .send({
        type: 'bitrix24',
        mode: 'webhook',
        displayName: `b24 ${portal}`,
        credentials: { webhookUrl: hookUrl(portal) },
        settings,
      });
    if (res.status !== 201) throw new Error(`connect: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string };
  };
  const disconnect = (id: string) => api().delete(`/api/connections/${id}`).set(adminHeaders);

  const deliveriesOf = (orderId: string) =>
    stack.db.ds.query<DeliveryRow[]>(
      `SELECT d.id, d.status, d.attempts, d.external_id, d.external_url, d.last_error_code,
         d.last_error
       FROM deliveries d JOIN connections c ON c.id = d.connection_id
       WHERE d.order_id = $1 AND c.type = 'bitrix24' ORDER BY d.seq`,
      [orderId],
    );
  const settled = (orderId: string, count = 1, status = 'delivered') =>
    waitFor(
      async () => {
        const rows = await deliveriesOf(orderId);
        return rows.length >= count && rows.every((r) => r.status === status) ? rows : undefined;
      },
      30000,
      `${count} bitrix24 deliveries of ${orderId} ${status}`,
    );
  const commentsOf = (dealId: number, portal = 'shop') =>
    b24.listComments({ portal, entityId: dealId });
  const dealsOfOrder = (orderId: string, portal = 'shop') =>
    b24.listDeals({ portal }).filter((d) => d.ORIGIN_ID === orderId);

  it('paid: the deal moves to the won stage of its pipeline, with amount, fields and one comment', async () => {
    const conn = await connect({
      fields: { providerReference: 'UF_CRM_PAYMENT_ID' },
    });
    try {
      const general = b24.createDeal(
        { TITLE: 'Sofa', STAGE_ID: 'PREPARATION', CURRENCY_ID: 'USD', OPPORTUNITY: 10 },
        { portal: 'shop' },
      );
      const wholesale = b24.createDeal(
        { TITLE: 'Pallets', CATEGORY_ID: 3, STAGE_ID: 'C3:NEW' },
        { portal: 'shop' },
      );
      const a = pay(stack.vpos, { metadata: { crm: { bitrix24DealId: String(general.ID) } } });
      const b = pay(stack.vpos, {
        amountMinor: 4_000_050,
        metadata: { crm: { bitrix24DealId: String(wholesale.ID) } },
      });
      const [da] = await settled(a.merchantOrderId);
      await settled(b.merchantOrderId);

      const dealA = b24.getDeal(Number(general.ID), { portal: 'shop' })!;
      expect(dealA).toMatchObject({
        STAGE_ID: 'WON',
        STAGE_SEMANTIC_ID: 'S',
        OPPORTUNITY: '12500.00',
        CURRENCY_ID: 'AMD',
        UF_CRM_PAYMENT_ID: a.id,
      });
      expect(b24.getDeal(Number(wholesale.ID), { portal: 'shop' })).toMatchObject({
        STAGE_ID: 'C3:WON',
        OPPORTUNITY: '40000.50',
      });
      const comments = commentsOf(Number(general.ID));
      expect(comments).toHaveLength(1);
      expect(String(comments[0].COMMENT)).toContain(`Order ${a.merchantOrderId}`);
      expect(String(comments[0].COMMENT)).toContain('12 500 ֏');
      expect(commentsOf(Number(wholesale.ID))).toHaveLength(1);

      // The delivery and its audit entry name the deal and link to it.
      const dealUrl = `http://${b24.portal('shop').domain}/crm/deal/details/${String(general.ID)}/`;
      expect(da).toMatchObject({ external_id: String(general.ID), external_url: dealUrl });
      const audit = await api().get(`/api/payments/${a.merchantOrderId}/audit`).set(adminHeaders);
      const attempt = (audit.body as Array<{ kind: string; data: Record<string, unknown> }>).find(
        (e) => e.kind === 'delivery.attempt' && e.data.destination === 'bitrix24',
      );
      expect(attempt?.data).toMatchObject({
        outcome: 'delivered',
        externalId: String(general.ID),
        externalUrl: dealUrl,
      });
    } finally {
      await disconnect(conn.id);
    }
  });

  it('the same event delivered 5 more times: still one comment, the won deal not touched again', async () => {
    const conn = await connect({});
    try {
      const deal = b24.createDeal({ TITLE: 'Chair', STAGE_ID: 'NEW' }, { portal: 'shop' });
      const s = pay(stack.vpos, { metadata: { crm: { bitrix24DealId: String(deal.ID) } } });
      const [row] = await settled(s.merchantOrderId);
      const dealsBefore = b24.listDeals({ portal: 'shop' }).length;
      const moved = b24.getDeal(Number(deal.ID), { portal: 'shop' })!.MOVED_TIME;
      for (let i = 0; i < 5; i++) {
        const res = await api().post(`/api/deliveries/${row.id}/replay`).set(adminHeaders);
        expect(res.status).toBe(202);
        await waitFor(
          async () => {
            const [now] = await deliveriesOf(s.merchantOrderId);
            return now.attempts === row.attempts + i + 1 && now.status === 'delivered'
              ? true
              : undefined;
          },
          20000,
          `replay ${i + 1} delivered`,
        );
      }
      expect(commentsOf(Number(deal.ID))).toHaveLength(1);
      expect(b24.listDeals({ portal: 'shop' })).toHaveLength(dealsBefore);
      expect(b24.getDeal(Number(deal.ID), { portal: 'shop' })!.MOVED_TIME).toBe(moved);
    } finally {
      await disconnect(conn.id);
    }
  });

  it('no deal and creation allowed: exactly one deal, found again by a retry and a replay', async () => {
    const conn = await connect({ createDeals: true, newDeal: { title: 'VPOS order {orderId}' } });
    try {
      // The deal is created, then the comment in the same batch fails: the retry must find
      // the deal by its order id instead of creating a second one.
      b24.injectFault({
        status: 503,
        error: 'QUERY_LIMIT_EXCEEDED',
        method: 'crm.timeline.comment.add',
        portal: 'shop',
      });
      const s = pay(stack.vpos, { metadata: {} });
      const [row] = await settled(s.merchantOrderId);
      expect(row.attempts).toBe(2);
      const deals = dealsOfOrder(s.merchantOrderId);
      expect(deals).toHaveLength(1);
      expect(deals[0]).toMatchObject({
        TITLE: `VPOS order ${s.merchantOrderId}`,
        ORIGINATOR_ID: 'vpos-hub',
        STAGE_ID: 'WON',
        OPPORTUNITY: '12500.00',
      });
      await api().post(`/api/deliveries/${row.id}/replay`).set(adminHeaders).expect(202);
      await waitFor(
        async () => ((await deliveriesOf(s.merchantOrderId))[0].attempts === 3 ? true : undefined),
        20000,
        'replayed',
      );
      await settled(s.merchantOrderId);
      expect(dealsOfOrder(s.merchantOrderId)).toHaveLength(1);
      expect(commentsOf(Number(deals[0].ID))).toHaveLength(1);
    } finally {
      await disconnect(conn.id);
    }
  });

  it('no deal and creation not allowed: dead with the reason; the deal is found after a replay', async () => {
    const conn = await connect({});
    try {
      const s = pay(stack.vpos, { metadata: {} });
      const [row] = await settled(s.merchantOrderId, 1, 'dead');
      expect(row.last_error_code).toBe('DEAL_NOT_FOUND');
      expect(row.last_error).toContain(s.merchantOrderId);
      // A manager creates the deal with the order id; the replay finds it.
      const deal = b24.createDeal(
        { TITLE: 'Late deal', ORIGINATOR_ID: 'vpos-hub', ORIGIN_ID: s.merchantOrderId },
        { portal: 'shop' },
      );
      await api().post(`/api/deliveries/${row.id}/replay`).set(adminHeaders).expect(202);
      const [done] = await settled(s.merchantOrderId);
      expect(done.external_id).toBe(String(deal.ID));
      expect(b24.getDeal(Number(deal.ID), { portal: 'shop' })!.STAGE_ID).toBe('WON');
    } finally {
      await disconnect(conn.id);
    }
  });

  it('refund and failure: a comment each, the mapped stage only where mapped', async () => {
    const conn = await connect({ stages: { refunded: 'LOSE' } });
    try {
      const deal = b24.createDeal({ TITLE: 'Table', STAGE_ID: 'NEW' }, { portal: 'shop' });
      const crm = { crm: { bitrix24DealId: String(deal.ID) } };
      const s = pay(stack.vpos, { metadata: crm });
      await settled(s.merchantOrderId);
      stack.vpos.setStatus(s.id, 'refunded', { refundedAmountMinor: 1_250_000 });
      await settled(s.merchantOrderId, 2);
      expect(b24.getDeal(Number(deal.ID), { portal: 'shop' })!.STAGE_ID).toBe('LOSE');
      const texts = commentsOf(Number(deal.ID)).map((c) => String(c.COMMENT));
      expect(texts).toHaveLength(2);
      expect(texts.some((t) => t.startsWith('Payment refunded'))).toBe(true);

      const other = b24.createDeal({ TITLE: 'Lamp', STAGE_ID: 'NEW' }, { portal: 'shop' });
      const f = stack.vpos.createSession(
        sessionBody({
          amountMinor: 500_000,
          metadata: { crm: { bitrix24DealId: String(other.ID) } },
        }),
      );
      stack.vpos.setStatus(f.id, 'failed');
      await settled(f.merchantOrderId);
      expect(b24.getDeal(Number(other.ID), { portal: 'shop' })!.STAGE_ID).toBe('NEW');
      expect(String(commentsOf(Number(other.ID))[0].COMMENT)).toMatch(/^Payment failed/);
    } finally {
      await disconnect(conn.id);
    }
  });

  it('OPERATION_TIME_LIMIT on the update inside a batch: retried, the comment not doubled', async () => {
    const conn = await connect({});
    try {
      const deal = b24.createDeal({ TITLE: 'Rug', STAGE_ID: 'NEW' }, { portal: 'shop' });
      b24.injectFault({
        status: 429,
        error: 'OPERATION_TIME_LIMIT',
        method: 'crm.deal.update',
        portal: 'shop',
      });
      const s = pay(stack.vpos, { metadata: { crm: { bitrix24DealId: String(deal.ID) } } });
      const [row] = await settled(s.merchantOrderId);
      expect(row.attempts).toBe(2);
      expect(b24.getDeal(Number(deal.ID), { portal: 'shop' })!.STAGE_ID).toBe('WON');
      // The first try's comment went in with the refused update; the retry found its marker.
      expect(commentsOf(Number(deal.ID))).toHaveLength(1);
      const audit = await api().get(`/api/payments/${s.merchantOrderId}/audit`).set(adminHeaders);
      const first = (audit.body as Array<{ kind: string; data: Record<string, unknown> }>).find(
        (e) => e.kind === 'delivery.attempt' && e.data.attempt === 1,
      );
      expect(first?.data).toMatchObject({
        outcome: 'retry_scheduled',
        errorClass: 'retryable',
        errorCode: 'OPERATION_TIME_LIMIT',
      });

      // A dry-run replay shows what would be sent, and sends nothing.
      const requests = b24.counters({ portal: 'shop' }).requests;
      const plan = await api()
        .post(`/api/payments/${s.merchantOrderId}/replay?connection=${conn.id}&dryRun=true`)
        .set(adminHeaders);
      expect(plan.status).toBe(202);
      expect(plan.body.items[0].wouldSend).toMatchObject({
        find: { method: 'crm.deal.list', filter: { ID: String(deal.ID) } },
        comment: { method: 'crm.timeline.comment.add' },
      });
      expect(b24.counters({ portal: 'shop' }).requests).toBe(requests);
    } finally {
      await disconnect(conn.id);
    }
  });

  it('a backlog goes out in batches: 120 orders in a handful of requests', async () => {
    // A tight limit of our own makes the events queue up behind it, as under a real backlog.
    const conn = await connect({ rateLimit: { capacity: 2, refillPerSecond: 1 } });
    try {
      const deals = Array.from({ length: 120 }, (_, i) =>
        b24.createDeal({ TITLE: `Bulk ${i}` }, { portal: 'shop' }),
      );
      const before = b24.counters({ portal: 'shop' });
      const sessions = deals.map((d) =>
        pay(stack.vpos, { metadata: { crm: { bitrix24DealId: String(d.ID) } } }),
      );
      await waitFor(
        async () => {
          const [{ n }] = await stack.db.ds.query<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM deliveries WHERE connection_id = $1 AND status = 'delivered'`,
            [conn.id],
          );
          return n === 120 ? true : undefined;
        },
        60000,
        '120 delivered',
      );
      const after = b24.counters({ portal: 'shop' });
      const requests = after.requests - before.requests;
      // 120 events: at least 2 lookups and 5 write batches; far fewer than one per event.
      expect(requests).toBeLessThan(40);
      expect(after.rejectedByBucket - before.rejectedByBucket).toBe(0);
      for (const d of deals) expect(commentsOf(Number(d.ID))).toHaveLength(1);
      expect(sessions).toHaveLength(120);
    } finally {
      await disconnect(conn.id);
    }
  }, 90000);

  it('an unknown stage or field in the mapping is refused when saved, naming it', async () => {
    const conn = await connect({});
    try {
      const patch = (settings: Record<string, unknown>) =>
        api().patch(`/api/connections/${conn.id}`).set(adminHeaders).send({ settings });
      const stage = await patch({ stages: { refunded: 'C3:REFUNDED' } });
      expect(stage.status).toBe(422);
      expect(stage.body.message).toContain('settings.stages.refunded: unknown stage "C3:REFUNDED"');

      const field = await patch({ fields: { paidAt: 'UF_CRM_NOPE' } });
      expect(field.status).toBe(422);
      expect(field.body.message).toContain(
        'settings.fields.paidAt: UF_CRM_NOPE is not a deal field on this portal',
      );

      const shape = await patch({ stages: { paid: 'won!' }, batchSize: 0 });
      expect(shape.status).toBe(422);
      expect(shape.body.message).toContain('settings.stages.paid');
      expect(shape.body.message).toContain('settings.batchSize');

      const pipeline = await patch({ createDeals: true, newDeal: { categoryId: 9 } });
      expect(pipeline.status).toBe(422);
      expect(pipeline.body.message).toContain('settings.newDeal.categoryId: no pipeline 9');

      // Valid ones are stored; the connection was never changed by the refused ones.
      const ok = await patch({ stages: { refunded: 'C3:LOSE', manual_review: 'APOLOGY' } });
      expect(ok.status).toBe(200);
      expect(ok.body.settings).toEqual({
        stages: { refunded: 'C3:LOSE', manual_review: 'APOLOGY' },
      });

      // At creation too.
      const created = await api()
        .post('/api/connections')
        .set(adminHeaders)
        .send({
          type: 'bitrix24',
          mode: 'webhook',
          displayName: 'bad mapping',
          credentials: { webhookUrl: hookUrl('oauthportal') },
          settings: { stages: { paid: 'UC_MISSING' } },
        });
      expect(created.status).toBe(422);
      expect(created.body.message).toContain('settings.stages.paid: unknown stage "UC_MISSING"');
    } finally {
      await disconnect(conn.id);
    }
  });

  it('over OAuth: an expired token is refreshed once and the deal still closes', async () => {
    const portal = b24.portal('oauthportal');
    const { cookie, callback } = await consent(
      stack.hub,
      `/api/connections/oauth/bitrix24/start?portal=${encodeURIComponent(portal.domain)}`,
    );
    const done = await api()
      .get(`/oauth/bitrix24/callback${callback.search}`)
      .set('cookie', cookie);
    expect(done.status).toBe(200);
    const list = await api().get('/api/connections').set(adminHeaders);
    const conn = (list.body as Array<{ id: string; type: string; mode: string }>).find(
      (c) => c.type === 'bitrix24' && c.mode === 'oauth',
    )!;
    try {
      b24.expireAccessToken(undefined, { portal: 'oauthportal' });
      const refreshes = b24.counters().oauth.refreshes;
      const deal = b24.createDeal({ TITLE: 'OAuth deal' }, { portal: 'oauthportal' });
      const s = pay(stack.vpos, { metadata: { crm: { bitrix24DealId: String(deal.ID) } } });
      await settled(s.merchantOrderId);
      expect(b24.getDeal(Number(deal.ID), { portal: 'oauthportal' })!.STAGE_ID).toBe('WON');
      expect(commentsOf(Number(deal.ID), 'oauthportal')).toHaveLength(1);
      expect(b24.counters().oauth.refreshes).toBe(refreshes + 1);
    } finally {
      await disconnect(conn.id);
    }
  });
});
