/**
 * bench/fanout: a burst of 5,000 paid events through the whole hub (signed VPOS webhooks →
 * verification → one delivery each) to a webhook destination whose endpoint enforces a leaky
 * bucket of 2 requests/s with a burst of 50, with batches of up to 50 events per request.
 * Run: npm run bench:fanout [-- --events=5000]
 */
import { arg, run } from './support/hub';
import { burstReport, line, orderId, sendBurst, startPipeline } from './support/pipeline';
import { WebhookReceiver } from '../sandbox/webhook-receiver/webhook-receiver';

const EVENTS = arg('events', 5000);
const BATCH = arg('batch', 50);
const BUCKET = { capacity: arg('burst', 50), drainPerSecond: arg('drain', 2) };

async function main(): Promise<void> {
  const receiver = await new WebhookReceiver({ bucket: { ...BUCKET, status: 503 } }).start();
  const p = await startPipeline('vpos_hub_bench_fanout', {
    CONNECTOR_INSECURE_HOSTS: receiver.hostPort,
  });
  // Unsigned endpoint, so no credentials: the row is written as the admin API would.
  await p.db.query(
    `INSERT INTO connections (type, display_name, mode, settings) VALUES ('webhook', 'bench', 'webhook', $1)`,
    [
      JSON.stringify({
        url: receiver.url,
        batchSize: BATCH,
        rateLimit: { capacity: BUCKET.capacity - 2, refillPerSecond: BUCKET.drainPerSecond },
      }),
    ],
  );
  console.log(
    `fan-out: ${EVENTS} paid events, endpoint bucket ${BUCKET.capacity} burst / ${BUCKET.drainPerSecond} per s, batches ≤ ${BATCH}`,
  );
  const events = p.paidEvents(EVENTS, (i) => ({ orderId: orderId('bench', i) }));
  const { t0, sentS } = await sendBurst(p, events, arg('send-concurrency', 64));
  await burstReport(p, { events: EVENTS, t0, sentS, timeoutS: arg('timeout', 240), targetS: 120 }, [
    'HTTP_503',
    'HTTP_429',
  ]);
  line(
    'endpoint requests',
    `${receiver.stats.requests} (largest batch ${receiver.stats.maxBatch}); refused for rate limit ${receiver.stats.rateLimited}`,
  );
  line('duplicates at endpoint', String(receiver.stats.duplicates));
  await p.close();
  await receiver.close();
}

run(main);
