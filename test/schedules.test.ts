import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DeliverySweeper } from '../src/delivery/delivery.sweeper';
import { PaymentLinkScheduler } from '../src/payment-links/payment-link.scheduler';
import { QUEUES } from '../src/queue/queues';
import {
  createTestDatabase,
  startTestHub,
  TestDatabase,
  TestHub,
  waitFor,
} from './support/test-hub';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('schedules are BullMQ job schedulers: one runner per tick across replicas', () => {
  let db: TestDatabase;
  const workers: TestHub[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      APP_ROLE: 'worker',
      QUEUE_PREFIX: `sched${process.pid}`,
      SCHEDULER_INTERVAL_MS: '200',
      SWEEP_INTERVAL_MS: '200',
    };
    workers.push(await startTestHub(db, env), await startTestHub(db, env));
  });
  afterAll(async () => {
    for (const w of workers) await w.close();
    await db.drop();
  });

  it('each tick of expiry, recovery and sweep runs in exactly one of two workers', async () => {
    const calls = { expire: 0, recover: 0, sweep: 0 };
    for (const w of workers) {
      const scheduler = w.app.get(PaymentLinkScheduler);
      const sweeper = w.app.get(DeliverySweeper);
      const expire = scheduler.expireDue.bind(scheduler);
      const recover = scheduler.recoverDue.bind(scheduler);
      const sweep = sweeper.sweep.bind(sweeper);
      jest.spyOn(scheduler, 'expireDue').mockImplementation(() => (calls.expire++, expire()));
      jest.spyOn(scheduler, 'recoverDue').mockImplementation(() => (calls.recover++, recover()));
      jest.spyOn(sweeper, 'sweep').mockImplementation(() => (calls.sweep++, sweep()));
    }
    const links = workers[0].app.get<Queue>(getQueueToken(QUEUES.linkSchedules));
    const sweeps = workers[0].app.get<Queue>(getQueueToken(QUEUES.deliverySweeps));
    expect((await links.getJobSchedulers()).map((s) => s.key).sort()).toEqual([
      'expire-links',
      'recover-payments',
    ]);
    expect((await sweeps.getJobSchedulers()).map((s) => s.key)).toEqual(['sweep-deliveries']);

    const before = {
      links: await links.getCompletedCount(),
      sweeps: await sweeps.getCompletedCount(),
    };
    calls.expire = calls.recover = calls.sweep = 0;
    await sleep(2000);
    await waitFor(
      async () => (await links.getActiveCount()) + (await sweeps.getActiveCount()) === 0,
    );
    const ran = {
      links: (await links.getCompletedCount()) - before.links,
      sweeps: (await sweeps.getCompletedCount()) - before.sweeps,
    };
    // ~10 ticks in 2 s at 200 ms; two timers per worker would have made about twice as many calls.
    expect(calls.sweep).toBeGreaterThanOrEqual(4);
    expect(calls.sweep).toBeLessThanOrEqual(ran.sweeps + 1);
    expect(calls.expire + calls.recover).toBeLessThanOrEqual(ran.links + 2);
    expect(calls.expire).toBeGreaterThanOrEqual(4);
    expect(Math.abs(calls.expire - calls.recover)).toBeLessThanOrEqual(2);
  });

  it('a schedule lost with Redis (restarted empty) comes back without a restart', async () => {
    const sweeps = workers[0].app.get<Queue>(getQueueToken(QUEUES.deliverySweeps));
    await sweeps.removeJobScheduler('sweep-deliveries');
    expect(await sweeps.getJobSchedulers()).toHaveLength(0);
    await waitFor(
      async () => (await sweeps.getJobSchedulers()).length === 1,
      10000,
      'the schedule',
    );
  });
});
