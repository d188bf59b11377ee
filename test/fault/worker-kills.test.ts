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
    // Only a serving worker is killed (so kills land on live, busy workers); its replacement
    // boots while the other one works.
    const up = [true, true];
    const booting: Array<Promise<void>> = [];
    const timeline: string[] = [];
    const t0 = Date.now();
    for (let k = 0; k < KILLS; k++) {
      payAll(stack.vpos, sessions.slice(k * wave, (k + 1) * wave));
      await new Promise((r) => setTimeout(r, 200 + Math.floor(random() * 1300)));
      if (!up[0] && !up[1]) await Promise.race(booting);
      const live = [0, 1].filter((i) => up[i]);
      const victim = live[Math.floor(random() * live.length)];
      up[victim] = false;
      timeline.push(`${Date.now() - t0}ms:w${victim}`);
      booting[victim] = stack.restartWorker(victim).then(() => {
        up[victim] = true;
      });
    }
    await Promise.all(booting);
    console.log(`worker kills at ${timeline.join(' ')}`);
    const orders = sessions.map((s) => s.merchantOrderId);
    await expectEveryOrderOnce(stack, orders, `FAULT_SEED=${SEED}`);

    const [{ n }] = await stack.db.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM deliveries WHERE attempts > 1`,
    );
    console.log(`worker kills: ${KILLS} kills, ${n} deliveries needed more than one attempt`);
    expect(stack.crashed()).toEqual([]);
  }, 600_000);
});
