/**
 * bench/sheets: 5,000 paid orders into one Google sheet with the real quotas emulated (60 read
 * and 60 write requests a minute per user, 300 per project), through the whole hub: signed VPOS
 * webhooks → verification → one delivery each → the Google Sheets connector over a service
 * account. Prints the time until all are delivered, Sheets requests (reads, writes, refused by
 * quota) and requests per order, retries and dead deliveries, rows and duplicates, worker peak RSS.
 * Run: npm run bench:sheets [-- --events=5000 --batch=500]
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
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
import { startGoogleEmulator } from '../sandbox/google/google-emulator';
import { startVposEmulator } from '../sandbox/vpos/vpos-emulator';

const EVENTS = arg('events', 5000);
const BATCH = arg('batch', 500);
const SEND_CONCURRENCY = arg('send-concurrency', 64);
const TIMEOUT_S = arg('timeout', 240);
const TARGET_S = 90;
const DB = 'vpos_hub_bench_sheets';
const EMAIL = 'bench-writer@bench.iam.gserviceaccount.com';

async function main(): Promise<void> {
  const dbUrl = await freshDatabase(DB);

  const quota = {
    readRequestsPerMinutePerUser: 60,
    writeRequestsPerMinutePerUser: 60,
    readRequestsPerMinutePerProject: 300,
    writeRequestsPerMinutePerProject: 300,
  };
  const google = await startGoogleEmulator({ quota });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  google.registerServiceAccount({
    clientEmail: EMAIL,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  const { spreadsheetId } = google.createSpreadsheet({
    title: 'Bench payments',
    sheets: [{ title: 'Orders' }],
    sharedWith: [EMAIL],
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
    GOOGLE_TOKEN_URL: google.endpoints.token,
    GOOGLE_SHEETS_API_URL: google.endpoints.sheetsRootUrl,
    LOG_LEVEL: 'warn',
  };
  await startHub({ ...common, APP_ROLE: 'api', PORT: String(apiPort) });
  const worker = await startHub({ ...common, APP_ROLE: 'worker', PORT: String(workerPort) });
  vpos.setWebhookUrl(`http://127.0.0.1:${apiPort}/webhooks/vpos`);

  // The connection as an admin adds it: checked against the sheet (header row written).
  const res = await fetch(`http://127.0.0.1:${apiPort}/api/connections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'google-sheets',
      mode: 'service_account',
      displayName: 'bench sheet',
      credentials: {
        serviceAccountKey: {
          client_email: EMAIL,
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
      },
      settings: { spreadsheetId, sheetName: 'Orders', language: 'en', batchSize: BATCH },
    }),
  });
  if (res.status !== 201) throw new Error(`connection refused: ${res.status} ${await res.text()}`);

  console.log(
    `sheets: ${EVENTS} paid orders into one sheet, batch ${BATCH}, quota ${quota.writeRequestsPerMinutePerUser} writes / ${quota.readRequestsPerMinutePerUser} reads a minute per user, ${quota.writeRequestsPerMinutePerProject} per project`,
  );
  const events = Array.from({ length: EVENTS }, (_, i) => {
    const s = vpos.createSession({
      merchantOrderId: `gs-${i}-${randomBytes(3).toString('hex')}`,
      amountMinor: 1_000_000 + i,
      currency: 'AMD',
      metadata: {},
    });
    return vpos.setStatus(s.id, 'paid', { webhook: { suppress: true } }).event.id;
  });
  const before = google.counters();
  const t0 = Date.now();
  await sendAll(vpos, events, SEND_CONCURRENCY);
  const sentS = (Date.now() - t0) / 1000;

  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  const { delivered, createdAt: verifiedAt } = await waitDelivered(db, EVENTS, t0, TIMEOUT_S);
  const totalS = (Date.now() - t0) / 1000;
  const stats = await deliveryStats(db, ['RATE_LIMIT_EXCEEDED', 'RESOURCE_EXHAUSTED']);
  const { rows: calls } = await db.query<{ calls: number }>(
    `SELECT coalesce(sum(1.0 / (data->>'batchSize')::int), 0)::float AS calls
     FROM audit_log WHERE kind = 'delivery.attempt'`,
  );
  const rss = peakRssMb(worker.pid!);
  const after = google.counters();
  const rows = google.readCells(spreadsheetId, "'Orders'").slice(1);
  const perOrder = new Map<string, number>();
  for (const r of rows) perOrder.set(String(r[0]), (perOrder.get(String(r[0])) ?? 0) + 1);
  const doubled = [...perOrder.values()].filter((n) => n > 1).length;
  const reads = after.readRequests - before.readRequests;
  const writes = after.writeRequests - before.writeRequests;
  const refused = after.quotaExceeded - before.quotaExceeded;

  console.log('');
  console.log(`webhooks sent             ${EVENTS} in ${sentS.toFixed(1)} s`);
  console.log(
    `all deliveries created    ${verifiedAt ? ((verifiedAt - t0) / 1000).toFixed(1) + ' s' : 'no'}`,
  );
  console.log(
    `delivered                 ${delivered} / ${EVENTS} in ${totalS.toFixed(1)} s  (target ≤ ${TARGET_S} s: ${delivered >= EVENTS && totalS <= TARGET_S ? 'PASS' : 'MISS'})`,
  );
  console.log(
    `sheets requests           ${reads + writes} (reads ${reads}, writes ${writes}, appends ${after.appends - before.appends}, batchUpdates ${after.updates - before.updates}) = ${((reads + writes) / EVENTS).toFixed(4)} per order`,
  );
  console.log(
    `connector calls           ${Math.round(calls[0].calls)} (mean ${(EVENTS / Math.max(1, calls[0].calls)).toFixed(0)} orders per call)`,
  );
  console.log(`refused by quota (429)    ${refused} requests`);
  console.log(
    `deliveries retried        ${stats.retried} (quota errors on ${stats.limited}), dead ${stats.dead}  (target 0 failed by quota: ${stats.dead === 0 && stats.limited === 0 && refused === 0 ? 'PASS' : 'MISS'})`,
  );
  console.log(
    `rows                      ${rows.length} (orders with more than one: ${doubled}, orders missing: ${EVENTS - perOrder.size})`,
  );
  console.log(
    `worker peak RSS           ${rss.toFixed(0)} MB  (target ≤ 250 MB: ${rss <= 250 ? 'PASS' : 'MISS'})`,
  );

  await db.end();
  await vpos.close();
  await google.close();
}

run(main);
