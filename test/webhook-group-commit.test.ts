import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { INTAKE_MAX_IN_FLIGHT, IntakeBatcher } from '../src/webhooks/intake-batcher';
import {
  createTestDatabase,
  startTestHub,
  TestDatabase,
  TestHub,
  waitFor,
} from './support/test-hub';
import { Outcome, webhookSender } from './support/webhook-sender';

// Rows whose event id starts with evt_gate_<n>_ wait for advisory lock <n> inside the INSERT,
// so a test decides when a statement may finish and which statements are in flight.
const GATE_SQL = `
CREATE FUNCTION test_intake_gate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.provider_event_id LIKE 'evt_gate_%' THEN
    PERFORM pg_advisory_xact_lock_shared(split_part(NEW.provider_event_id, '_', 3)::bigint);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER test_intake_gate BEFORE INSERT ON webhook_events
  FOR EACH ROW EXECUTE FUNCTION test_intake_gate();
ALTER TABLE webhook_events ADD CONSTRAINT test_no_bad_rows
  CHECK (provider_event_id NOT LIKE 'evt_bad_%') NOT VALID;`;

const JAM = 4242;
const MID_BATCH = 4243;

describe('webhook intake: group commit', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let sender: ReturnType<typeof webhookSender>;
  let batcher: IntakeBatcher;
  let gate: Client;
  const run = randomBytes(3).toString('hex');
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.ds.query(GATE_SQL);
    hub = await startTestHub(db, { APP_ROLE: 'api' });
    batcher = hub.app.get(IntakeBatcher);
    sender = webhookSender(hub.url, 32);
    gate = new Client({ connectionString: db.url });
    await gate.connect();
  });
  afterAll(async () => {
    sender?.close();
    await gate?.end();
    await hub?.close();
    await db?.drop();
  });

  const eventId = (kind: string) => `evt_${kind}_${run}${++n}`;
  const send = (id: string): Promise<Outcome> => {
    const body = Buffer.from(
      JSON.stringify({
        id,
        type: 'payment.paid',
        createdAt: new Date().toISOString(),
        data: {
          id: `ps_${id}`,
          merchantOrderId: `ord-${id}`,
          amountMinor: 125000,
          currency: 'AMD',
          status: 'paid',
        },
      }),
    );
    return sender.send(body, sender.sign(body, `msg_${id}_${randomBytes(3).toString('hex')}`));
  };
  const stored = async (id: string) =>
    Number(
      (
        await db.ds.query(
          `SELECT count(*)::int AS n FROM webhook_events WHERE provider_event_id = $1`,
          [id],
        )
      )[0].n,
    );
  const waitersOn = async (lock: number) =>
    (
      await gate.query<{ pid: number }>(
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1`,
        [lock],
      )
    ).rows.map((r) => r.pid);
  const kind = (o: Outcome) =>
    o.status !== 200 ? `http_${o.status}` : o.accepted ? 'accepted' : 'duplicate';

  /** Every statement slot busy on a gated row, so what is sent next queues for one batch. */
  async function jam(): Promise<{ release: () => Promise<Outcome[]> }> {
    await gate.query('SELECT pg_advisory_lock($1)', [JAM]);
    const jammed: Promise<Outcome>[] = [];
    for (let i = 1; i <= INTAKE_MAX_IN_FLIGHT; i++) {
      jammed.push(send(`evt_gate_${JAM}_${run}${++n}`));
      await waitFor(async () => (await waitersOn(JAM)).length >= i, 20000, 'a jammed statement');
    }
    return {
      release: async () => {
        await gate.query('SELECT pg_advisory_unlock($1)', [JAM]);
        return Promise.all(jammed);
      },
    };
  }

  async function inOneBatch(ids: string[]): Promise<Outcome[]> {
    const { release } = await jam();
    const batchesBefore = batcher.stats.batches;
    const answers = ids.map(send);
    await waitFor(() => Promise.resolve(batcher.queued === ids.length), 20000, 'the batch');
    expect((await release()).map(kind)).toEqual(Array(INTAKE_MAX_IN_FLIGHT).fill('accepted'));
    const outcomes = await Promise.all(answers);
    expect(batcher.stats.batches).toBeGreaterThan(batchesBefore);
    return outcomes;
  }

  it('answers only after the commit: blocked statements answer nothing, answers find their row', async () => {
    await gate.query('SELECT pg_advisory_lock($1)', [JAM]);
    const ids = [1, 2, 3].map(() => `evt_gate_${JAM}_${run}${++n}`);
    const answered: string[] = [];
    const checks = ids.map((id) =>
      send(id).then(async (o) => {
        answered.push(id);
        return { o, rows: await stored(id) };
      }),
    );
    await waitFor(async () => (await waitersOn(JAM)).length >= 1, 20000, 'a blocked statement');
    expect(answered).toEqual([]);
    await gate.query('SELECT pg_advisory_unlock($1)', [JAM]);
    for (const { o, rows } of await Promise.all(checks)) {
      expect(kind(o)).toBe('accepted');
      expect(rows).toBe(1);
    }
  });

  it('in one batch: duplicates of each other and of stored events answer duplicate, one row each', async () => {
    const old = eventId('old');
    expect(kind(await send(old))).toBe('accepted');
    const a = eventId('dup');
    const b = eventId('new');
    const batchesBefore = batcher.stats.batches;
    const outcomes = await inOneBatch([a, b, a, old, a]);
    // the jam's statements plus exactly one for the five
    expect(batcher.stats.batches - batchesBefore).toBe(INTAKE_MAX_IN_FLIGHT + 1);
    const forA = [outcomes[0], outcomes[2], outcomes[4]].map(kind).sort();
    expect(forA).toEqual(['accepted', 'duplicate', 'duplicate']);
    expect(kind(outcomes[1])).toBe('accepted');
    expect(kind(outcomes[3])).toBe('duplicate');

    const rows = await db.ds.query<Array<{ id: string; events: number; outbox: number }>>(
      `SELECT p.id,
         (SELECT count(*)::int FROM webhook_events e WHERE e.provider_event_id = p.id) AS events,
         (SELECT count(*)::int FROM outbox o JOIN webhook_events e ON o.job_id = 'verify-' || e.id
           WHERE e.provider_event_id = p.id) AS outbox
       FROM unnest($1::text[]) AS p(id) ORDER BY p.id`,
      [[a, b, old].sort()],
    );
    expect(rows.map((r) => [r.events, r.outbox])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    const audits = await db.ds.query<Array<{ id: string; dup: boolean }>>(
      `SELECT data->>'providerEventId' AS id, (data->>'duplicate')::boolean AS dup
       FROM audit_log WHERE kind = 'webhook.received' AND data->>'providerEventId' = ANY($1)`,
      [[a, b]],
    );
    expect(
      audits
        .filter((x) => x.id === a)
        .map((x) => x.dup)
        .sort(),
    ).toEqual([false, true, true]);
    expect(audits.filter((x) => x.id === b).map((x) => x.dup)).toEqual([false]);
  });

  it('a bad row fails alone: its neighbours in the batch are stored and acknowledged', async () => {
    const good = [1, 2, 3, 4, 5, 6].map(() => eventId('good'));
    const bad = eventId('bad');
    const retriedBefore = batcher.stats.retriedBatches;
    const outcomes = await inOneBatch([...good.slice(0, 3), bad, ...good.slice(3)]);
    expect(batcher.stats.retriedBatches).toBe(retriedBefore + 1);
    expect(outcomes.map(kind)).toEqual([
      ...Array(3).fill('accepted'),
      'http_500',
      ...Array(3).fill('accepted'),
    ]);
    for (const id of good) expect(await stored(id)).toBe(1);
    expect(await stored(bad)).toBe(0);
  });

  it('PostgreSQL fails mid-batch: nothing is acknowledged that was not stored', async () => {
    await gate.query('SELECT pg_advisory_lock($1)', [MID_BATCH]);
    const stuck = `evt_gate_${MID_BATCH}_${run}${++n}`;
    const others = [1, 2, 3, 4, 5, 6, 7, 8].map(() => eventId('mid'));
    const { release } = await jam();
    const answers = [...others.slice(0, 4), stuck, ...others.slice(4)].map((id) =>
      send(id).then((o) => ({ id, o })),
    );
    await waitFor(() => Promise.resolve(batcher.queued === 9), 20000, 'the batch to queue');
    await release();
    // The batch has inserted some rows and waits inside its INSERT: its connection dies.
    const [pid] = await waitFor(async () =>
      waitersOn(MID_BATCH).then((p) => (p.length ? p : undefined)),
    );
    await gate.query('SELECT pg_terminate_backend($1)', [pid]);
    // Retried row by row: the stuck row waits again, and dies again.
    const [retryPid] = await waitFor(async () =>
      waitersOn(MID_BATCH).then((p) => (p.length && p[0] !== pid ? p : undefined)),
    );
    await gate.query('SELECT pg_terminate_backend($1)', [retryPid]);
    await gate.query('SELECT pg_advisory_unlock($1)', [MID_BATCH]);

    const results = await Promise.all(answers);
    for (const { id, o } of results) {
      if (o.status === 200) expect(await stored(id)).toBe(1);
      else expect(await stored(id)).toBe(0);
    }
    expect(results.filter((r) => r.id !== stuck).map((r) => kind(r.o))).toEqual(
      Array(8).fill('accepted'),
    );
    expect(kind(results.find((r) => r.id === stuck)!.o)).toMatch(/^http_5/);
  });
});
