/**
 * bench/reconcile: a 100,000-row provider report reconciled inline by one hub process
 * (APP_ROLE=all): streamed in as CSV, matched in SQL against a journal of 100,000 paid orders,
 * and 1,000 of those orders read back from each CRM emulator at the real limits (Bitrix24 bucket
 * 50 / 2 per s, amoCRM 7 requests per s, Google 60 reads a minute per user). Prints the time of
 * the request, the exceptions found and the hub's peak RSS.
 * Run: npm run bench:reconcile [-- --rows=100000 --crm-orders=1000]
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { Client } from 'pg';
import { startAmocrmEmulator } from '../sandbox/amocrm/amocrm-emulator';
import { startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { startGoogleEmulator } from '../sandbox/google/google-emulator';
import { startVposEmulator } from '../sandbox/vpos/vpos-emulator';
import { arg, freePort, freshDatabase, peakRssMb, ROOT, run, startHub } from './support/hub';

const ROWS = arg('rows', 100_000);
const CRM_ORDERS = arg('crm-orders', 1000);
const TARGET_S = 60;
const TARGET_MB = 300;
const DB = 'vpos_hub_bench_reconcile';
const EMAIL = 'bench-recon@bench.iam.gserviceaccount.com';
const HEADER =
  'provider_reference,order_id,amount_minor,currency,status,paid_at,refund_amount_minor';

const orderId = (i: number) => `rc-${String(i).padStart(7, '0')}`;
const amount = (i: number) => 100_000 + i;

async function seed(db: Client, paidAt: Date): Promise<void> {
  await db.query(
    `INSERT INTO payment_orders (order_id, status, amount_minor, currency)
     SELECT 'rc-' || lpad(i::text, 7, '0'), 'paid', 100000 + i, 'AMD'
     FROM generate_series(0, $1 - 1) AS i`,
    [ROWS],
  );
  await db.query(
    `INSERT INTO payment_attempts (order_id, attempt_no, provider, provider_payment_id, status,
       amount_minor, currency, status_changed_at)
     SELECT 'rc-' || lpad(i::text, 7, '0'), 1, 'vpos', 'ps-' || i, 'paid', 100000 + i, 'AMD', $2
     FROM generate_series(0, $1 - 1) AS i`,
    [ROWS, paidAt],
  );
}

/** One paid event per CRM order and a delivered delivery to each connection, as after a day. */
async function seedDeliveries(
  db: Client,
  connections: Record<string, string>,
  external: Record<string, string[]>,
  paidAt: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO payment_events (id, schema_version, order_id, type, previous_status, applied,
       amount_minor, currency, occurred_at, verified_at, payload)
     SELECT gen_random_uuid(), 1, 'rc-' || lpad(i::text, 7, '0'), 'paid', 'pending', true,
       100000 + i, 'AMD', $2, $2, '{}'
     FROM generate_series(0, $1 - 1) AS i`,
    [CRM_ORDERS, paidAt],
  );
  for (const [type, id] of Object.entries(connections)) {
    await db.query(
      `INSERT INTO deliveries (event_id, connection_id, order_id, status, attempts, external_id,
         delivered_at)
       SELECT e.id, $1, e.order_id, 'delivered', 1, x.ext, now()
       FROM payment_events e JOIN unnest($2::text[]) WITH ORDINALITY AS x(ext, n)
         ON e.order_id = 'rc-' || lpad((x.n - 1)::text, 7, '0')`,
      [id, external[type]],
    );
  }
}

async function writeReport(file: string, paidAt: Date): Promise<Record<string, number>> {
  const out = createWriteStream(file);
  const planted = { amount_mismatch: 0, malformed_row: 0, journal_paid_provider_not_paid: 0 };
  const write = async (line: string) => {
    if (!out.write(line + '\n')) await once(out, 'drain');
  };
  await write(HEADER);
  const when = paidAt.toISOString();
  for (let i = 0; i < ROWS; i++) {
    if (i % 997 === 5) {
      planted.journal_paid_provider_not_paid += 1;
      continue;
    }
    if (i % 1009 === 7) {
      planted.malformed_row += 1;
      await write(`ps-${i},${orderId(i)},12.5x,AMD,paid,${when},`);
      continue;
    }
    const mismatch = i % 1013 === 3;
    if (mismatch) planted.amount_mismatch += 1;
    await write(`ps-${i},${orderId(i)},${amount(i) + (mismatch ? 1 : 0)},AMD,paid,${when},`);
  }
  out.end();
  await once(out, 'finish');
  return planted;
}

async function main(): Promise<void> {
  const dbUrl = await freshDatabase(DB);
  const b24 = await startBitrix24Emulator({
    portals: [{ name: 'bench', webhooks: [{ code: 'benchhook' }] }],
    bucketCapacity: 50,
    bucketDrainPerSecond: 2,
  });
  const amo = await startAmocrmEmulator({ rateLimitPerSecond: 7 });
  const google = await startGoogleEmulator({
    quota: { readRequestsPerMinutePerUser: 60, writeRequestsPerMinutePerUser: 60 },
  });
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
  const vpos = await startVposEmulator({
    apiToken: 'bench-token',
    webhookSecret: 'whsec_' + randomBytes(32).toString('base64'),
  });
  const port = await freePort();
  const adminToken = randomBytes(24).toString('hex');
  const hub = await startHub({
    DATABASE_URL: dbUrl,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
    ADMIN_TOKEN: adminToken,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    VPOS_WEBHOOK_SECRETS: 'whsec_' + randomBytes(32).toString('base64'),
    VPOS_API_BASE_URL: vpos.url,
    VPOS_API_TOKEN: 'bench-token',
    GOOGLE_TOKEN_URL: google.endpoints.token,
    GOOGLE_SHEETS_API_URL: google.endpoints.sheetsRootUrl,
    CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port},${amo.host}`,
    RECONCILIATION_SCHEDULE: 'off',
    APP_ROLE: 'all',
    PORT: String(port),
    LOG_LEVEL: 'warn',
  });
  const api = (p: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${port}${p}`, {
      ...init,
      headers: {
        authorization: `Bearer ${adminToken}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string>),
      },
    });
  const connect = async (body: Record<string, unknown>) => {
    const res = await api('/api/connections', { method: 'POST', body: JSON.stringify(body) });
    if (res.status !== 201)
      throw new Error(`connection refused: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  };
  const orderField = amo.createCustomField({ name: 'Order ID', type: 'text' }).id;
  const connections = {
    bitrix24: await connect({
      type: 'bitrix24',
      mode: 'webhook',
      displayName: 'b24',
      credentials: { webhookUrl: b24.portal('bench').webhooks[0].url },
      settings: {},
    }),
    amocrm: await connect({
      type: 'amocrm',
      mode: 'token',
      displayName: 'amo',
      settings: { host: amo.host, orderIdField: orderField },
      credentials: { token: amo.issueLongLivedToken() },
    }),
    'google-sheets': await connect({
      type: 'google-sheets',
      mode: 'service_account',
      displayName: 'sheet',
      settings: { spreadsheetId, sheetName: 'Orders', language: 'en' },
      credentials: {
        serviceAccountKey: {
          client_email: EMAIL,
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
      },
    }),
  };

  // What the CRMs show after a day of deliveries; every 100th deal was moved back by hand.
  const paidAt = new Date(Date.now() - 3600_000);
  const external: Record<string, string[]> = { bitrix24: [], amocrm: [], 'google-sheets': [] };
  const rows: Array<Array<string | number>> = [];
  let movedBack = 0;
  for (let i = 0; i < CRM_ORDERS; i++) {
    const back = i % 100 === 1;
    if (back) movedBack += 1;
    const deal = b24.createDeal(
      {
        TITLE: orderId(i),
        ORIGIN_ID: orderId(i),
        ORIGINATOR_ID: 'vpos-hub',
        STAGE_ID: back ? 'NEW' : 'WON',
        OPPORTUNITY: amount(i) / 100,
        CURRENCY_ID: 'AMD',
      },
      { portal: 'bench' },
    );
    external.bitrix24.push(String(deal.ID));
    const lead = amo.createLead({
      name: orderId(i),
      price: Math.round(amount(i) / 100),
      status_id: 142,
      custom_fields_values: [{ field_id: orderField, values: [{ value: orderId(i) }] }],
    });
    external.amocrm.push(String(lead.id));
    external['google-sheets'].push(String(i + 2));
    rows.push([orderId(i), 'paid', amount(i) / 100, 'AMD']);
  }
  google.setCells(spreadsheetId, `Orders!A2:D${CRM_ORDERS + 1}`, rows);

  const db = new Client({ connectionString: dbUrl });
  db.on('error', () => undefined);
  await db.connect();
  await seed(db, paidAt);
  await seedDeliveries(db, connections, external, paidAt);
  await db.query('ANALYZE');

  mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  const file = path.join(ROOT, '.bench', 'reconcile-report.csv');
  const planted = await writeReport(file, paidAt);
  const size = statSync(file).size;
  const rssBefore = peakRssMb(hub.pid!);
  console.log(
    `reconcile: ${ROWS} report rows (${(size / 1e6).toFixed(1)} MB CSV) against ${ROWS} paid orders; ${CRM_ORDERS} orders read back per CRM (Bitrix24 50/2 per s, amoCRM 7 per s, Sheets 60 reads/min)`,
  );
  const period = `from=${new Date(paidAt.getTime() - 3600_000).toISOString()}&to=${new Date(paidAt.getTime() + 3600_000).toISOString()}`;
  const t0 = Date.now();
  const res = await api(`/api/reconciliation/runs?${period}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: Readable.toWeb(createReadStream(file)),
    duplex: 'half',
  });
  const seconds = (Date.now() - t0) / 1000;
  const body = (await res.json()) as {
    status: string;
    summary: { rows: number; matched: number; byType: Record<string, { count: number }> };
    destinations: Array<{ type: string; checked: number; supported: boolean; error?: string }>;
  };
  if (res.status !== 201) throw new Error(`run refused: ${res.status} ${JSON.stringify(body)}`);
  const rss = peakRssMb(hub.pid!);
  const counts = Object.entries(body.summary.byType)
    .filter(([, v]) => v.count > 0)
    .map(([k, v]) => `${k} ${v.count}`)
    .join(', ');
  console.log('');
  console.log(
    `run                       ${body.status}, ${body.summary.rows} rows, ${body.summary.matched} matched`,
  );
  console.log(`exceptions                ${counts}`);
  console.log(
    `planted                   amount_mismatch ${planted.amount_mismatch}, malformed_row ${planted.malformed_row}, journal_paid_provider_not_paid ${planted.journal_paid_provider_not_paid} left out + ${planted.malformed_row} unreadable, destination_not_paid ${movedBack} (bitrix24)`,
  );
  for (const d of body.destinations) {
    console.log(
      `read-back ${d.type.padEnd(15)} ${d.supported ? `${d.checked} orders` : 'unsupported'}${d.error ? ` ERROR ${d.error}` : ''}`,
    );
  }
  console.log(
    `time                      ${seconds.toFixed(1)} s  (target ≤ ${TARGET_S} s: ${seconds <= TARGET_S ? 'PASS' : 'MISS'})`,
  );
  console.log(
    `hub peak RSS              ${rss.toFixed(0)} MB (before the run ${rssBefore.toFixed(0)} MB)  (target ≤ ${TARGET_MB} MB: ${rss <= TARGET_MB ? 'PASS' : 'MISS'})`,
  );
  await db.end();
  await b24.close();
  await amo.close();
  await google.close();
  await vpos.close();
}

run(main);
