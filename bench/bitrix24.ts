/**
 * bench/bitrix24: 5,000 paid orders for one Bitrix24 portal with the real limits (leaky bucket,
 * burst 50, drains 2/s) over an incoming-webhook connection. Every order has a deal with its
 * order id in ORIGIN_ID (`--mode=id` passes crm.bitrix24DealId instead; `--mode=create` lets
 * the hub create the deals).
 * `--backlog` holds the deliveries until all exist and times the release alone.
 * Run: npm run bench:bitrix24 [-- --events=5000 --mode=origin --batch=<orders per call> --backlog]
 */
import 'reflect-metadata';
import { arg, run } from './support/hub';
import { addBitrix24, bitrix24Deal, bitrix24Effects } from './support/crms';
import { burstReport, line, orderId, sendBurst, startPipeline } from './support/pipeline';
import { startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { BITRIX24_DEFAULTS } from '../src/connectors/bitrix24/bitrix24.settings';
import { BucketTimeline, callSizes, describeSizes } from './support/bucket-timeline';

const EVENTS = arg('events', 5000);
const BUCKET = { capacity: arg('burst', 50), drainPerSecond: arg('drain', 2) };
const TARGET_S = 85;
const BATCH = arg('batch', 0);
const BACKLOG = process.argv.includes('--backlog');
const PORTAL = { portal: 'bench' };
const MODE = (process.argv.find((a) => a.startsWith('--mode='))?.split('=')[1] ?? 'origin') as
  'origin' | 'id' | 'create';

async function main(): Promise<void> {
  const b24 = await startBitrix24Emulator({
    portals: [{ name: 'bench', webhooks: [{ code: 'benchhook' }] }],
    bucketCapacity: BUCKET.capacity,
    bucketDrainPerSecond: BUCKET.drainPerSecond,
  });
  const timeline = new BucketTimeline(BUCKET.capacity, BUCKET.drainPerSecond);
  b24.setBeforeRespond(({ portal }) => {
    if (portal === PORTAL.portal) timeline.request();
  });
  const p = await startPipeline('vpos_hub_bench_bitrix24', {
    CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port}`,
  });
  const connectionId = await addBitrix24(p, b24, {
    ...(MODE === 'create' ? { createDeals: true } : {}),
    ...(BATCH ? { batchSize: BATCH } : {}),
  });
  console.log(
    `bitrix24: ${EVENTS} paid orders, mode ${MODE}, portal bucket ${BUCKET.capacity} burst / ${BUCKET.drainPerSecond} per s`,
  );
  const events = p.paidEvents(EVENTS, (i) => {
    const id = orderId('b24', i);
    if (MODE === 'create') return { orderId: id };
    const deal = bitrix24Deal(b24, id);
    return {
      orderId: id,
      metadata: MODE === 'id' ? { crm: { bitrix24DealId: String(deal) } } : {},
    };
  });
  const before = b24.counters(PORTAL);
  timeline.watch(p.db);
  const { t0, sentS } = await sendBurst(
    p,
    events,
    arg('send-concurrency', 64),
    BACKLOG ? { connectionId } : undefined,
  );
  await burstReport(
    p,
    { events: EVENTS, t0, sentS, timeoutS: arg('timeout', 240), targetS: TARGET_S },
    ['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT'],
    {
      label: 'portal requests',
      count: () => b24.counters(PORTAL).requests - before.requests,
      detail: () => `batch sub-calls ${b24.counters(PORTAL).batchSubCalls - before.batchSubCalls}`,
    },
  );
  timeline.stop();
  const after = b24.counters(PORTAL);
  const idle = timeline.idle();
  line(
    'bucket unused',
    `${idle.idleS.toFixed(1)} s with a token free and nothing sent, ${idle.fullS.toFixed(1)} s full (refill lost), of ${idle.windowS.toFixed(1)} s with deliveries ready`,
  );
  line('calls by size', describeSizes(await callSizes(p.db), BATCH || BITRIX24_DEFAULTS.batchSize));
  line('refused by the bucket', `${after.rejectedByBucket - before.rejectedByBucket} requests`);
  const effects = bitrix24Effects(b24);
  line(
    'deals',
    `${effects.deals} (won ${effects.won}); comments ${effects.comments}, deals with more than one: ${effects.doubled}`,
  );
  await p.close();
  await b24.close();
}

run(main);
