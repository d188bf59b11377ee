import { expectEveryOrderOnce } from '../support/fault-checker';
import { createOrders, faultSeed, orderCount, payAll, prng } from '../support/fault-orders';
import { FaultStack, startFaultStack } from '../support/fault-stack';

const SEED = faultSeed();
const ORDERS = orderCount(200);
const KILLS = 20;

describe(`fault: worker processes SIGKILLed ${KILLS} times mid-delivery (FAULT_SEED=${SEED})`, () => {
  let stack: FaultStack | undefined;

  afterAll(async () => {
    await stack?.close();
  });

  it('every order reaches every CRM once despite the kills', async () => {
    stack = await startFaultStack();
    const random = prng(SEED);
    const sessions = createOrders(stack.vpos, ORDERS, 'kill');
    const wave = Math.ceil(ORDERS / KILLS);
    // Each worker is killed only once it serves again, so kills land on live, busy workers.
    const ready: Array<Promise<void>> = [Promise.resolve(), Promise.resolve()];
    for (let k = 0; k < KILLS; k++) {
      payAll(stack.vpos, sessions.slice(k * wave, (k + 1) * wave));
      const victim = random() < 0.5 ? 0 : 1;
      await ready[victim];
      await new Promise((r) => setTimeout(r, 200 + Math.floor(random() * 1800)));
      ready[victim] = stack.restartWorker(victim);
    }
    await Promise.all(ready);
    const orders = sessions.map((s) => s.merchantOrderId);
    await expectEveryOrderOnce(stack, orders, `FAULT_SEED=${SEED}`);

    const [{ n }] = await stack.db.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM deliveries WHERE attempts > 1`,
    );
    console.log(`worker kills: ${KILLS} kills, ${n} deliveries needed more than one attempt`);
    expect(stack.crashed()).toEqual([]);
  }, 400_000);
});
