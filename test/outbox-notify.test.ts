import { randomUUID } from 'node:crypto';
import { PgNotifications } from '../src/queue/pg-notifications';
import { JOBS, QUEUES } from '../src/queue/queues';
import {
  createTestDatabase,
  startTestHub,
  TestDatabase,
  TestHub,
  waitFor,
} from './support/test-hub';

// Longer than the whole file takes, so a row published in these tests was not found by a poll.
const NEVER_MS = '60000';

describe('outbox relay woken by LISTEN/NOTIFY', () => {
  let db: TestDatabase;
  let hub: TestHub | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });
  afterAll(async () => {
    await db?.drop();
  });

  const listeners = async () =>
    (
      await db.ds.query<Array<{ pid: number }>>(
        `SELECT pid FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'vpos-hub-listener'
           AND query ILIKE 'LISTEN%'`,
      )
    ).map((r) => r.pid);
  const someListeners = async () => {
    const pids = await listeners();
    return pids.length ? pids : undefined;
  };
  const kill = async (pids: number[]) => {
    for (const pid of pids) await db.ds.query(`SELECT pg_terminate_backend($1)`, [pid]);
  };
  // A job for a delivery that does not exist: published, then a no-op for the processor.
  const addOutboxRow = async () => {
    const jobId = `delivery-${randomUUID()}-1`;
    await db.ds.query(
      `INSERT INTO outbox (queue, job_name, job_id, payload) VALUES ($1, $2, $3, $4)`,
      [QUEUES.deliveries, JOBS.deliver, jobId, { deliveryId: randomUUID() }],
    );
    return jobId;
  };
  const published = (jobId: string) =>
    waitFor(
      async () =>
        (await db.ds.query(`SELECT 1 FROM outbox WHERE job_id = $1`, [jobId])).length === 0,
      30000,
      `outbox row ${jobId} to be published`,
    );

  it('a committed outbox row wakes the relay, also after the listener connection was killed', async () => {
    hub = await startTestHub(db, { APP_ROLE: 'worker', OUTBOX_POLL_MS: NEVER_MS });
    const [first] = await waitFor(someListeners);
    await published(await addOutboxRow());

    await kill([first]);
    await waitFor(async () => {
      const now = await listeners();
      return now.length > 0 && !now.includes(first);
    });
    await published(await addOutboxRow());
  });

  it('the poll still publishes while the listener connection is down', async () => {
    hub = await startTestHub(db, { APP_ROLE: 'worker', OUTBOX_POLL_MS: '50' });
    const notifications = hub.app.get(PgNotifications);
    const pids = await waitFor(someListeners);
    notifications.reconnectDelayMs = 3_600_000;
    await kill(pids);
    await waitFor(async () => (await listeners()).length === 0);

    const jobIds = [await addOutboxRow(), await addOutboxRow()];
    for (const jobId of jobIds) await published(jobId);
    expect(await listeners()).toEqual([]);
  });
});
