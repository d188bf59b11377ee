import { DataSource } from 'typeorm';
import { expectEveryOrderOnce } from '../support/fault-checker';
import { createOrders, faultSeed, orderCount, payAll, prng } from '../support/fault-orders';
import { FaultStack, startFaultStack } from '../support/fault-stack';
import { PG_BASE, waitFor } from '../support/test-hub';

const SEED = faultSeed();
const ORDERS = orderCount(240);
const REDIS_DOWN_MS = Number(process.env.FAULT_REDIS_DOWN_MS ?? 20_000);
const PG_KILLS = 8;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`fault: Redis lost and PostgreSQL backends killed under load (FAULT_SEED=${SEED})`, () => {
  let stack: FaultStack | undefined;
  let admin: DataSource | undefined;

  afterAll(async () => {
    await admin?.destroy();
    await stack?.close();
  });

  const delivered = async (s: FaultStack) =>
    Number(
      (
        await s.db.ds.query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM deliveries WHERE status = 'delivered'`,
        )
      )[0].n,
    );

  it('Redis stopped 20 s and back empty, then backends terminated: nothing lost, nothing twice', async () => {
    const s = (stack = await startFaultStack());
    admin = await new DataSource({ type: 'postgres', url: `${PG_BASE}/postgres` }).initialize();
    const random = prng(SEED);
    const sessions = createOrders(s.vpos, ORDERS, 'rp');
    const third = Math.floor(ORDERS / 3);

    payAll(s.vpos, sessions.slice(0, third));
    await waitFor(async () => (await delivered(s)) >= 10, 120_000, 'first deliveries');
    await s.redis.stop();
    // Intake keeps answering without Redis: these webhooks wait in the outbox.
    payAll(s.vpos, sessions.slice(third, 2 * third));
    await sleep(REDIS_DOWN_MS);
    await s.redis.start();

    payAll(s.vpos, sessions.slice(2 * third));
    let killed = 0;
    for (let k = 0; k < PG_KILLS; k++) {
      await sleep(500 + Math.floor(random() * 2000));
      const rows = await admin.query<Array<{ ok: boolean }>>(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [s.db.name],
      );
      killed += rows.filter((r) => r.ok).length;
    }
    console.log(`redis down ${REDIS_DOWN_MS} ms; ${killed} PostgreSQL backends terminated`);
    expect(killed).toBeGreaterThan(0);

    const orders = sessions.map((x) => x.merchantOrderId);
    await expectEveryOrderOnce(s, orders, `FAULT_SEED=${SEED}`, 240_000);
    expect(s.crashed()).toEqual([]);
  }, 600_000);
});
