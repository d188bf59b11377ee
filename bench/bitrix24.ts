/**
 * bench/bitrix24: 5,000 paid orders for one Bitrix24 portal with the real limits (leaky bucket,
 * burst 50, drains 2/s), through the whole hub: signed VPOS webhooks → verification → one
 * delivery each → the Bitrix24 connector over an incoming webhook. Every order has a deal with
 * its order id in ORIGIN_ID (`--mode=id` passes crm.bitrix24DealId instead; `--mode=create`
 * lets the hub create the deals). Prints the time until all are delivered, the portal's request
 * count and refusals, deals won and comments, retries and dead deliveries, worker peak RSS.
 * Run: npm run bench:bitrix24 [-- --events=5000 --mode=origin]
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  arg,
  deliveryStats,
  freePort,
  freshDatabase,
  peakRssMb,
  run,
  sendAll,
  startHub,
  waitDelivered,
} from './support/hub';
import { startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { startVposEmulator } from '../sandbox/vpos/vpos-emulator';

const EVENTS = arg('events', 5000);
const BUCKET = { capacity: arg('burst', 50), drainPerSecond: arg('drain', 2) };
const SEND_CONCURRENCY = arg('send-concurrency', 64);
const TIMEOUT_S = arg('timeout', 240);
const DB = 'vpos_hub_bench_bitrix24';

const MODE = (process.argv.find((a) => a.startsWith('--mode='))?.split('=')[1] ?? 'origin') as
  'origin' | 'id' | 'create';

async function main(): Promise<void> {
  const dbUrl = await freshDatabase(DB);

  const b24 = await startBitrix24Emulator({
    portals: [{ name: 'bench', webhooks: [{ code: 'benchhook' }] }],
    bucketCapacity: BUCKET.capacity,
    bucketDrainPerSecond: BUCKET.drainPerSecond,
  });
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const vpos = await startVposEmulator({
    apiToken: 'bench-token',
    webhookSecret: secret,
    webhookRetryDelaysMs: [1000, 5000],
  });
  const [apiPort, workerPort] = [await freePort(), await freePort()];
  const adminToken = randomBytes(24).toString('hex');
  const common = {
    DATABASE_URL: dbUrl,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
    ADMIN_TOKEN: adminToken,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    VPOS_WEBHOOK_SECRETS: secret,
    VPOS_API_BASE_URL: vpos.url,
    VPOS_API_TOKEN: 'bench-token',
    CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port}`,
    LOG_LEVEL: 'warn',
  };
  await startHub({ ...common, APP_ROLE: 'api', PORT: String(apiPort) });
  const worker = await startHub({ ...common, APP_ROLE: 'worker', PORT: String(workerPort) });
  vpos.setWebhookUrl(`http://127.0.0.1:${apiPort}/webhooks/vpos`);

  // The connection as an admin adds it: checked against the portal, default settings.
  const res = await fetch(`http://127.0.0.1:${apiPort}/api/connections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'bitrix24',
      mode: 'webhook',
      displayName: 'bench portal',
      credentials: { webhookUrl: b24.portal('bench').webhooks[0].url },
      settings: MODE === 'create' ? { createDeals: true } : {},
    }),
  });
  if (res.status !== 201) throw new Error(`connection refused: ${res.status} ${await res.text()}`);

  console.log(
    `bitrix24: ${EVENTS} paid orders, mode ${MODE}, portal bucket ${BUCKET.capacity} burst / ${BUCKET.drainPerSecond} per s`,
  );
  const events = Array.from({ length: EVENTS }, (_, i) => {
    const orderId = `b24-${i}-${randomBytes(3).toString('hex')}`;
    const deal =
      MODE === 'create'
        ? undefined
        : b24.createDeal(
            { TITLE: `Order ${orderId}`, ORIGINATOR_ID: 'vpos-hub', ORIGIN_ID: orderId },
            { portal: 'bench' },
          );
    const s = vpos.createSession({
      merchantOrderId: orderId,
      amountMinor: 1_000_000 + i,
      currency: 'AMD',
      metadata: MODE === 'id' && deal ? { crm: { bitrix24DealId: String(deal.ID) } } : {},
    });
    return vpos.setStatus(s.id, 'paid', { webhook: { suppress: true } }).event.id;
  });
  const before = b24.counters({ portal: 'bench' });
  const t0 = Date.now();
  await sendAll(vpos, events, SEND_CONCURRENCY);
  const sentS = (Date.now() - t0) / 1000;

  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  const { delivered, createdAt: verifiedAt } = await waitDelivered(db, EVENTS, t0, TIMEOUT_S);
  const totalS = (Date.now() - t0) / 1000;
  const stats = await deliveryStats(db, ['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT']);
  const { rows: calls } = await db.query<{ calls: number }>(
    `SELECT coalesce(sum(1.0 / (data->>'batchSize')::int), 0)::float AS calls
     FROM audit_log WHERE kind = 'delivery.attempt'`,
  );
  const rss = peakRssMb(worker.pid!);
  const after = b24.counters({ portal: 'bench' });
  const deals = b24.listDeals({ portal: 'bench' });
  const won = deals.filter((d) => d.STAGE_ID === 'WON').length;
  const comments = b24.listComments({ portal: 'bench' });
  const perDeal = new Map<string, number>();
  for (const c of comments)
    perDeal.set(String(c.ENTITY_ID), (perDeal.get(String(c.ENTITY_ID)) ?? 0) + 1);
  const doubled = [...perDeal.values()].filter((n) => n > 1).length;

  console.log('');
  console.log(`webhooks sent             ${EVENTS} in ${sentS.toFixed(1)} s`);
  console.log(
    `all deliveries created    ${verifiedAt ? ((verifiedAt - t0) / 1000).toFixed(1) + ' s' : 'no'}`,
  );
  console.log(
    `delivered                 ${delivered} / ${EVENTS} in ${totalS.toFixed(1)} s  (target ≤ 120 s: ${delivered >= EVENTS && totalS <= 120 ? 'PASS' : 'MISS'})`,
  );
  console.log(
    `portal requests           ${after.requests - before.requests} (batch sub-calls ${after.batchSubCalls - before.batchSubCalls})`,
  );
  console.log(
    `connector calls           ${Math.round(calls[0].calls)} (mean ${(EVENTS / Math.max(1, calls[0].calls)).toFixed(0)} events per call)`,
  );
  console.log(
    `refused by the bucket     ${after.rejectedByBucket - before.rejectedByBucket} requests`,
  );
  console.log(
    `deliveries retried        ${stats.retried} (rate-limit errors on ${stats.limited}), dead ${stats.dead}  (target 0 failed by rate limiting: ${stats.dead === 0 && stats.limited === 0 ? 'PASS' : 'MISS'})`,
  );
  console.log(
    `deals                     ${deals.length} (won ${won}); comments ${comments.length}, deals with more than one: ${doubled}`,
  );
  console.log(`worker peak RSS           ${rss.toFixed(0)} MB`);

  await db.end();
  await vpos.close();
  await b24.close();
}

run(main);
