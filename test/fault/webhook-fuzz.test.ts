import { expectEveryOrderOnce } from '../support/fault-checker';
import { createOrders, faultSeed, orderCount, payAll } from '../support/fault-orders';
import { FaultStack, startFaultStack } from '../support/fault-stack';
import { fuzzCases, runFuzz } from '../support/webhook-fuzz';
import { webhookSender } from '../support/webhook-sender';

const SEED = faultSeed();
const ORDERS = orderCount(150);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);

describe(`fault: fuzzed webhooks beside real ones (FAULT_SEED=${SEED}, ${CASES} cases)`, () => {
  let stack: FaultStack | undefined;
  let sender: ReturnType<typeof webhookSender> | undefined;

  afterAll(async () => {
    sender?.close();
    await stack?.close();
  });

  it('never a 5xx or a crash, no event from a forged body, real orders all delivered once', async () => {
    const s = (stack = await startFaultStack());
    sender = webhookSender(s.api.url, 8);
    const sessions = createOrders(s.vpos, ORDERS, 'fz');
    const cases = fuzzCases(SEED, CASES, sender);
    const half = Math.floor(ORDERS / 2);
    payAll(s.vpos, sessions.slice(0, half));
    const [fuzz] = await Promise.all([
      runFuzz(sender, cases),
      new Promise((r) => setTimeout(r, 1000)).then(() => payAll(s.vpos, sessions.slice(half))),
    ]);
    console.log(`fault fuzz: ${CASES} cases in ${fuzz.ms} ms`, fuzz.tally);
    expect({ seed: SEED, failures: fuzz.failures }).toEqual({ seed: SEED, failures: [] });

    const orders = sessions.map((x) => x.merchantOrderId);
    await expectEveryOrderOnce(s, orders, `FAULT_SEED=${SEED}`);
    expect(s.crashed()).toEqual([]);

    // Only bodies signed with the hub's secret may be stored, and so verified.
    const authentic = new Set(cases.filter((c) => c.authentic).map((c) => c.webhookId));
    const vposIds = new Set(s.vpos.listEvents().map((e) => e.webhookId));
    const verified = await s.db.ds.query<Array<{ webhook_id: string }>>(
      `SELECT w.webhook_id FROM payment_events e JOIN webhook_events w ON w.id = e.raw_event_id`,
    );
    const forged = verified.filter(
      (r) => !authentic.has(r.webhook_id) && !vposIds.has(r.webhook_id),
    );
    expect({ seed: SEED, forged: forged.slice(0, 5) }).toEqual({ seed: SEED, forged: [] });
    const stored = await s.db.ds.query<Array<{ webhook_id: string }>>(
      `SELECT webhook_id FROM webhook_events`,
    );
    const intruders = stored.filter(
      (r) => !authentic.has(r.webhook_id) && !vposIds.has(r.webhook_id),
    );
    expect({ seed: SEED, intruders: intruders.slice(0, 5) }).toEqual({ seed: SEED, intruders: [] });
  }, 600_000);
});
