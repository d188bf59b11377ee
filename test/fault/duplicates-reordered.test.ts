import { expectEveryOrderOnce } from '../support/fault-checker';
import { createOrders, faultSeed, orderCount, prng } from '../support/fault-orders';
import { FaultStack, startFaultStack } from '../support/fault-stack';

const SEED = faultSeed();
const ORDERS = orderCount(200);
const COPIES = 10;

describe(`fault: ${COPIES} concurrent copies of every webhook, delivered newest first (FAULT_SEED=${SEED})`, () => {
  let stack: FaultStack | undefined;

  afterAll(async () => {
    await stack?.close();
  });

  it('each order ends paid, never moved backwards, and reaches every CRM once', async () => {
    stack = await startFaultStack();
    const random = prng(SEED);
    const sessions = createOrders(stack.vpos, ORDERS, 'dup');
    const hold = { hold: true, duplicates: COPIES - 1 };
    // Seeded: some orders skip pending, so the reversed stream mixes lone and paired events.
    for (const s of sessions) {
      if (random() < 0.8) stack.vpos.setStatus(s.id, 'pending', { webhook: hold });
      stack.vpos.setStatus(s.id, 'paid', { webhook: hold });
    }
    await stack.vpos.flushHeld({ order: 'reverse' });
    const orders = sessions.map((s) => s.merchantOrderId);
    await expectEveryOrderOnce(stack, orders, `FAULT_SEED=${SEED}`);

    const [backwards] = await stack.db.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM payment_events
        WHERE type = 'pending' AND applied AND previous_status = 'paid'`,
    );
    expect({ seed: SEED, backwards: backwards.n }).toEqual({ seed: SEED, backwards: 0 });
    const [raw] = await stack.db.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM webhook_events`,
    );
    // Ten copies of each webhook are one stored event each.
    expect(raw.n).toBe(stack.vpos.listEvents().length);
    expect(stack.crashed()).toEqual([]);
  }, 600_000);
});
