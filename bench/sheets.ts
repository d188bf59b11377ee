/**
 * bench/sheets: 5,000 paid orders into one Google sheet with the real quotas emulated (60 read
 * and 60 write requests a minute per user, 300 per project) over a service account.
 * Run: npm run bench:sheets [-- --events=5000 --batch=500]
 */
import { arg, run } from './support/hub';
import { addSheets } from './support/crms';
import { burstReport, line, orderId, sendBurst, startPipeline } from './support/pipeline';
import { startGoogleEmulator } from '../sandbox/google/google-emulator';

const EVENTS = arg('events', 5000);
const BATCH = arg('batch', 500);

async function main(): Promise<void> {
  const quota = {
    readRequestsPerMinutePerUser: 60,
    writeRequestsPerMinutePerUser: 60,
    readRequestsPerMinutePerProject: 300,
    writeRequestsPerMinutePerProject: 300,
  };
  const google = await startGoogleEmulator({ quota });
  const p = await startPipeline('vpos_hub_bench_sheets', {
    GOOGLE_TOKEN_URL: google.endpoints.token,
    GOOGLE_SHEETS_API_URL: google.endpoints.sheetsRootUrl,
  });
  const sheet = await addSheets(p, google, { batchSize: BATCH });
  console.log(
    `sheets: ${EVENTS} paid orders into one sheet, batch ${BATCH}, quota ${quota.writeRequestsPerMinutePerUser} writes / ${quota.readRequestsPerMinutePerUser} reads a minute per user, ${quota.writeRequestsPerMinutePerProject} per project`,
  );
  const events = p.paidEvents(EVENTS, (i) => ({ orderId: orderId('gs', i) }));
  const before = google.counters();
  const { t0, sentS } = await sendBurst(p, events, arg('send-concurrency', 64));
  const since = (key: 'readRequests' | 'writeRequests' | 'appends' | 'updates') =>
    google.counters()[key] - before[key];
  await burstReport(
    p,
    { events: EVENTS, t0, sentS, timeoutS: arg('timeout', 240), targetS: 90 },
    ['RATE_LIMIT_EXCEEDED', 'RESOURCE_EXHAUSTED'],
    {
      label: 'sheets requests',
      count: () => since('readRequests') + since('writeRequests'),
      detail: () =>
        `reads ${since('readRequests')}, writes ${since('writeRequests')}, appends ${since('appends')}, batchUpdates ${since('updates')}`,
    },
  );
  const after = google.counters();
  line('refused by quota (429)', `${after.quotaExceeded - before.quotaExceeded} requests`);
  const rows = sheet.rowOrders();
  line(
    'rows',
    `${rows.length} (orders with more than one: ${sheet.repeated(rows)}, orders missing: ${EVENTS - new Set(rows).size})`,
  );
  await p.close();
  await google.close();
}

run(main);
