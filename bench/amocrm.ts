/**
 * bench/amocrm: 5,000 paid orders into one amoCRM account at its real limit (7 requests/s per
 * integration), each order's lead found by its order id field, moved to won with one note.
 * `--backlog` holds the deliveries until all exist and times the release alone.
 * Run: npm run bench:amocrm [-- --events=5000 --rate-limit=7 --batch=<orders per call> --backlog]
 */
import { arg, run } from './support/hub';
import { addAmocrm } from './support/crms';
import { burstReport, line, orderId, sendBurst, startPipeline, verdict } from './support/pipeline';
import { startAmocrmEmulator } from '../sandbox/amocrm/amocrm-emulator';

const EVENTS = arg('events', 5000);
const LIMIT = arg('rate-limit', 7);
const TARGET_S = 60;

async function main(): Promise<void> {
  const amo = await startAmocrmEmulator({ rateLimitPerSecond: LIMIT });
  const p = await startPipeline('vpos_hub_bench_amocrm', { CONNECTOR_INSECURE_HOSTS: amo.host });
  const account = await addAmocrm(p, amo, arg('batch', 0) ? { batchSize: arg('batch', 0) } : {});
  console.log(`amocrm: ${EVENTS} paid orders into one account limited to ${LIMIT} requests/s`);
  const events = p.paidEvents(EVENTS, (i) => {
    const id = orderId('amo', i);
    account.lead(id);
    return { orderId: id };
  });
  const before = amo.counters();
  const { t0, sentS } = await sendBurst(
    p,
    events,
    arg('send-concurrency', 64),
    process.argv.includes('--backlog') ? { connectionId: account.connectionId } : undefined,
  );
  await burstReport(
    p,
    { events: EVENTS, t0, sentS, timeoutS: arg('timeout', 240), targetS: TARGET_S },
    ['HTTP_429', 'RATE_LIMITED'],
    { label: 'account requests', count: () => amo.counters().apiRequests - before.apiRequests },
  );
  const refused = amo.counters().rateLimited - before.rateLimited;
  line('refused by the limit', `${refused} requests  (target 0: ${verdict(refused === 0)})`);
  const effects = account.effects();
  line(
    'leads',
    `${effects.leads} (won ${effects.won}); notes ${effects.notes}, leads with more than one: ${effects.doubled}`,
  );
  await p.close();
  await amo.close();
}

run(main);
