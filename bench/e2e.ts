/**
 * bench/e2e: paid webhooks at a steady rate through the whole hub into three instant CRMs (no
 * rate limits): Bitrix24 deal won, amoCRM lead won, Google Sheets row written. Latency is from
 * each webhook's scheduled send time to the moment the emulator applied the effect (Bitrix24 and
 * Sheets: their after-effect hooks; amoCRM, which has none: its leads sampled every 10 ms).
 * Run: npm run bench:e2e [-- --rate=50 --duration=60]
 */
import { arg, peakRssMb, run } from './support/hub';
import { addAmocrm, addBitrix24, addSheets, bitrix24Deal, bitrix24Won } from './support/crms';
import { line, orderId, RSS_TARGET_MB, startPipeline, verdict } from './support/pipeline';
import { fmtMs, Samples, summarize } from './ingest/stats';
import { startAmocrmEmulator } from '../sandbox/amocrm/amocrm-emulator';
import { startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { startGoogleEmulator } from '../sandbox/google/google-emulator';

const RATE = arg('rate', 50);
const DURATION_S = arg('duration', 60);
const DRAIN_S = arg('drain-timeout', 60);
const TARGET = { p50: 150, p99: 1000 };
const UNLIMITED = 1e9;

type Crm = 'bitrix24' | 'amocrm' | 'sheets';

async function main(): Promise<void> {
  const b24 = await startBitrix24Emulator({
    portals: [{ name: 'bench', webhooks: [{ code: 'benchhook' }] }],
    bucketCapacity: UNLIMITED,
    bucketDrainPerSecond: UNLIMITED,
  });
  const amo = await startAmocrmEmulator({ rateLimitPerSecond: 0 });
  const google = await startGoogleEmulator({
    quota: {
      readRequestsPerMinutePerUser: UNLIMITED,
      writeRequestsPerMinutePerUser: UNLIMITED,
      readRequestsPerMinutePerProject: UNLIMITED,
      writeRequestsPerMinutePerProject: UNLIMITED,
    },
  });
  const p = await startPipeline('vpos_hub_bench_e2e', {
    CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port},${amo.host}`,
    GOOGLE_TOKEN_URL: google.endpoints.token,
    GOOGLE_SHEETS_API_URL: google.endpoints.sheetsRootUrl,
  });
  // The hub's own pacing at the most each connector's settings allow: the CRMs here have no limit.
  await addBitrix24(p, b24, { rateLimit: { capacity: 250, refillPerSecond: 5 } });
  const account = await addAmocrm(p, amo, { rateLimit: { capacity: 1000, refillPerSecond: 1000 } });
  const sheet = await addSheets(p, google);

  const count = RATE * DURATION_S;
  const orders: string[] = [];
  const dealOf = new Map<string, number>();
  const leadOf = new Map<string, number>();
  const events = p.paidEvents(count, (i) => {
    const id = orderId('e2e', i);
    orders.push(id);
    dealOf.set(id, bitrix24Deal(b24, id));
    leadOf.set(id, account.lead(id));
    return { orderId: id };
  });

  const sentAt = new Map<string, number>();
  const seen: Record<Crm, Map<string, number>> = {
    bitrix24: new Map(),
    amocrm: new Map(),
    sheets: new Map(),
  };
  // Only orders sent and not yet seen are looked at, one by one: reading whole CRMs on every
  // call would cost this process more CPU than the hub.
  const pending: Record<Crm, Set<string>> = {
    bitrix24: new Set(),
    amocrm: new Set(),
    sheets: new Set(),
  };
  const check = (crm: Crm, done: (id: string) => boolean) => {
    const now = performance.now();
    for (const id of pending[crm]) {
      if (!done(id)) continue;
      seen[crm].set(id, now);
      pending[crm].delete(id);
    }
  };
  let rowsSeen = 0;
  b24.setBeforeRespond(() => check('bitrix24', (id) => bitrix24Won(b24, dealOf.get(id)!)));
  google.setBeforeRespond(() => {
    const rows = sheet.rowOrders().slice(rowsSeen);
    rowsSeen += rows.length;
    const written = new Set(rows);
    check('sheets', (id) => written.has(id));
  });
  const amoTimer = setInterval(() => check('amocrm', (id) => account.won(leadOf.get(id)!)), 10);

  console.log(
    `e2e: ${count} paid orders at ${RATE}/s for ${DURATION_S} s into Bitrix24, amoCRM and Google Sheets (instant emulators)`,
  );
  const t0 = performance.now();
  const sends: Promise<unknown>[] = [];
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = () => {
      const due = Math.min(count, Math.floor(((performance.now() - t0) * RATE) / 1000) + 1);
      for (; next < due; next++) {
        sentAt.set(orders[next], t0 + (next * 1000) / RATE);
        for (const set of Object.values(pending)) set.add(orders[next]);
        sends.push(p.vpos.sendEvent(events[next]));
      }
      if (next >= count) return resolve();
      setTimeout(tick, 2);
    };
    tick();
  });
  await Promise.all(sends);
  const deadline = Date.now() + DRAIN_S * 1000;
  while (Date.now() < deadline && Object.values(seen).some((m) => m.size < count)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  clearInterval(amoTimer);
  b24.setBeforeRespond(undefined);
  google.setBeforeRespond(undefined);

  console.log('');
  const all = new Samples(count);
  let allMissed = 0;
  for (const id of orders) {
    const times = Object.values(seen).map((m) => m.get(id));
    if (times.some((t) => t === undefined)) allMissed++;
    else all.add(Math.max(...(times as number[])) - sentAt.get(id)!);
  }
  for (const crm of Object.keys(seen) as Crm[]) {
    const samples = new Samples(count);
    for (const [id, at] of seen[crm]) samples.add(at - sentAt.get(id)!);
    report(crm, samples, count - seen[crm].size);
  }
  report('all three', all, allMissed);
  const rss = peakRssMb(p.worker.pid!);
  line(
    'worker peak RSS',
    `${rss.toFixed(0)} MB  (target ≤ ${RSS_TARGET_MB} MB: ${verdict(rss <= RSS_TARGET_MB)})`,
  );
  await p.close();
  await Promise.all([b24.close(), amo.close(), google.close()]);
}

function report(label: string, samples: Samples, missing: number): void {
  const s = summarize(samples);
  const ok = missing === 0 && s.p50 <= TARGET.p50 && s.p99 <= TARGET.p99;
  line(
    label,
    `p50 ${fmtMs(s.p50)}  p99 ${fmtMs(s.p99)}  max ${fmtMs(s.max)} ms, ${missing} missing  (target p50 ≤ ${TARGET.p50} ms, p99 ≤ ${TARGET.p99} ms: ${verdict(ok)})`,
  );
}

run(main);
