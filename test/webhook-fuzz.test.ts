import { randomBytes } from 'node:crypto';
import { createTestDatabase, startTestHub, TestDatabase, TestHub } from './support/test-hub';
import { fuzzCases, runFuzz } from './support/webhook-fuzz';
import { webhookSender } from './support/webhook-sender';

/**
 * Seeded webhook fuzz against the real hub: signed and unsigned, mutated and random bodies,
 * odd headers. Reproduce a run with FUZZ_SEED=<seed printed below>; FUZZ_CASES sets the count.
 */
const SEED = Number(process.env.FUZZ_SEED ?? randomBytes(4).readUInt32LE(0));
const CASES = Number(process.env.FUZZ_CASES ?? 3000);

describe(`webhook fuzz (FUZZ_SEED=${SEED}, ${CASES} cases)`, () => {
  let db: TestDatabase;
  let hub: TestHub;
  let sender: ReturnType<typeof webhookSender>;

  beforeAll(async () => {
    console.log(`webhook fuzz: FUZZ_SEED=${SEED} FUZZ_CASES=${CASES}`);
    db = await createTestDatabase();
    hub = await startTestHub(db, { APP_ROLE: 'api' });
    sender = webhookSender(hub.url, 8);
  });
  afterAll(async () => {
    sender?.close();
    await hub?.close();
    await db?.drop();
  });

  it('never a 5xx or a crash; only authentic bodies are ever stored', async () => {
    const cases = fuzzCases(SEED, CASES, sender);
    const { failures, tally, ms } = await runFuzz(sender, cases);
    console.log(`webhook fuzz: ${CASES} cases in ${ms} ms`, tally);
    expect({ seed: SEED, failures }).toEqual({ seed: SEED, failures: [] });

    expect((await fetch(`${hub.url}/health/live`)).status).toBe(200);
    const authenticIds = new Set(cases.filter((c) => c.authentic).map((c) => c.webhookId));
    const stored = await db.ds.query<Array<{ webhook_id: string; provider_event_id: string }>>(
      `SELECT webhook_id, provider_event_id FROM webhook_events`,
    );
    const intruders = stored.filter(
      (r) => !authenticIds.has(r.webhook_id) || r.provider_event_id.startsWith('evt_u_'),
    );
    expect({ seed: SEED, intruders: intruders.slice(0, 5) }).toEqual({ seed: SEED, intruders: [] });
    expect(stored.length).toBeGreaterThan(0);

    const [{ n }] = await db.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM audit_log WHERE kind = 'webhook.rejected'`,
    );
    expect(n).toBeLessThanOrEqual(2);
  });
});
