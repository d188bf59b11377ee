/**
 * bench/fanout: a burst of 5,000 paid events through the whole hub (signed VPOS webhooks →
 * verification → one delivery each) to a webhook destination whose endpoint enforces a leaky
 * bucket of 2 requests/s with a burst of 50, with batches of up to 50 events per request.
 * Prints the time until every delivery is delivered, how many requests the endpoint refused
 * for rate limiting, how many deliveries needed a retry or died, and the worker's peak RSS.
 * Run: npm run bench:fanout [-- --events=5000]
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
import { startVposEmulator } from '../sandbox/vpos/vpos-emulator';
import { WebhookReceiver } from '../sandbox/webhook-receiver/webhook-receiver';

const EVENTS = arg('events', 5000);
const BATCH = arg('batch', 50);
const BUCKET = { capacity: arg('burst', 50), drainPerSecond: arg('drain', 2) };
const SEND_CONCURRENCY = arg('send-concurrency', 64);
const TIMEOUT_S = arg('timeout', 240);
const DB = 'vpos_hub_bench_fanout';

async function main(): Promise<void> {
  const dbUrl = await freshDatabase(DB);

  const receiver = await new WebhookReceiver({ bucket: { ...BUCKET, status: 503 } }).start();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const vpos = await startVposEmulator({
    apiToken: 'bench-token',
    webhookSecret: secret,
    webhookRetryDelaysMs: [1000, 5000],
  });
  const [apiPort, workerPort] = [await freePort(), await freePort()];
  const common = {
    DATABASE_URL: dbUrl,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    VPOS_WEBHOOK_SECRETS: secret,
    VPOS_API_BASE_URL: vpos.url,
    VPOS_API_TOKEN: 'bench-token',
    CONNECTOR_INSECURE_HOSTS: receiver.hostPort,
    LOG_LEVEL: 'warn',
  };
  await startHub({ ...common, APP_ROLE: 'api', PORT: String(apiPort) });
  const worker = await startHub({ ...common, APP_ROLE: 'worker', PORT: String(workerPort) });
  vpos.setWebhookUrl(`http://127.0.0.1:${apiPort}/webhooks/vpos`);

  // The destination: the endpoint's own published limit, batches of 50. Credentials are not
  // needed for an unsigned endpoint; the admin API for connections comes with its own issue.
  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  await db.query(
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
  const events = Array.from({ length: EVENTS }, (_, i) => {
    const s = vpos.createSession({
      merchantOrderId: `bench-${i}-${randomBytes(3).toString('hex')}`,
      amountMinor: 1_000_000 + i,
      currency: 'AMD',
    });
    return vpos.setStatus(s.id, 'paid', { webhook: { suppress: true } }).event.id;
  });
  const t0 = Date.now();
  await sendAll(vpos, events, SEND_CONCURRENCY);
  const sentS = (Date.now() - t0) / 1000;

  const { delivered, createdAt: verifiedAt } = await waitDelivered(db, EVENTS, t0, TIMEOUT_S);
  const totalS = (Date.now() - t0) / 1000;
  const stats = await deliveryStats(db, ['HTTP_503', 'HTTP_429']);
  const rss = peakRssMb(worker.pid!);

  console.log('');
  console.log(`webhooks sent             ${EVENTS} in ${sentS.toFixed(1)} s`);
  console.log(
    `all deliveries created    ${verifiedAt ? ((verifiedAt - t0) / 1000).toFixed(1) + ' s' : 'no'}`,
  );
  console.log(
    `delivered                 ${delivered} / ${EVENTS} in ${totalS.toFixed(1)} s  (target ≤ 120 s: ${delivered >= EVENTS && totalS <= 120 ? 'PASS' : 'MISS'})`,
  );
  console.log(
    `endpoint requests         ${receiver.stats.requests} (largest batch ${receiver.stats.maxBatch})`,
  );
  console.log(`refused for rate limit    ${receiver.stats.rateLimited} requests`);
  console.log(
    `deliveries retried        ${stats.retried} (rate-limit errors on ${stats.limited}), dead ${stats.dead}  (target 0 failed by rate limiting: ${stats.dead === 0 && stats.limited === 0 ? 'PASS' : 'MISS'})`,
  );
  console.log(`duplicates at endpoint    ${receiver.stats.duplicates}`);
  console.log(
    `worker peak RSS           ${rss.toFixed(0)} MB  (target ≤ 250 MB: ${rss <= 250 ? 'PASS' : 'MISS'})`,
  );

  await db.end();
  await vpos.close();
  await receiver.close();
}

run(main);
