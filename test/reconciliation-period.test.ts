import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { seedJournal } from './factories/reconciliation-report';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TestDatabase,
  TestHub,
} from './support/test-hub';

const HEADER =
  'provider_reference,order_id,amount_minor,currency,status,paid_at,refund_amount_minor';
const DAY = 86_400_000;

interface Item {
  id: string;
  type: string;
  orderId: string | null;
  detail: { period?: { from: string; to: string } };
}

describe('reconciliation: paid_at against the run period', () => {
  let db: TestDatabase;
  let hub: TestHub;
  const from = new Date(Math.floor(Date.now() / DAY) * DAY - 2 * DAY);
  const to = new Date(from.getTime() + DAY);
  const inside = new Date(from.getTime() + 10 * 3600_000);
  const before = new Date(from.getTime() - 3600_000);
  const after = new Date(to.getTime() + 3600_000);
  const seed = (order: string, status: string, at: Date, refunded = 0) =>
    seedJournal(
      db.ds,
      [{ order, ref: `ref-${order}`, status, amount: 5000, currency: 'AMD', refunded }],
      at,
    );

  /** A paid event of the attempt at `at`: the journal's paid time of a since refunded payment. */
  async function paidEvent(order: string, at: Date): Promise<void> {
    await db.ds.query(
      `INSERT INTO payment_events (id, schema_version, order_id, attempt_id, type, previous_status,
         applied, amount_minor, currency, occurred_at, verified_at, payload)
       SELECT $1, 1, order_id, id, 'paid', 'pending', true, 5000, 'AMD', $2, $2, '{}'
       FROM payment_attempts WHERE order_id = $3`,
      [randomUUID(), at, order],
    );
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    hub = await startTestHub(db, { RECONCILIATION_SCHEDULE: 'off' });
    await seed('pp-match', 'paid', inside);
    await seed('pp-early', 'paid', before);
    await seed('pp-late-pending', 'pending', inside);
    await seed('pp-no-paid-at', 'paid', inside);
    await seed('pp-absent-inside', 'paid', inside);
    await seed('pp-absent-before', 'paid', before);
    // Refunded inside the period, paid the day before: not a payment of this period.
    await seed('pp-refunded-paid-before', 'refunded', inside, 5000);
    await paidEvent('pp-refunded-paid-before', before);
    // Paid inside the period, refunded after it: still a payment of this period.
    await seed('pp-refunded-paid-inside', 'refunded', after, 5000);
    await paidEvent('pp-refunded-paid-inside', inside);
  });
  afterAll(async () => {
    await hub?.close();
    await db?.drop();
  });

  const line = (order: string, status: string, at: Date | null) =>
    `ref-${order},${order},5000,AMD,${status},${at?.toISOString() ?? ''},`;
  const csv = [
    HEADER,
    line('pp-match', 'paid', inside),
    line('pp-early', 'paid', before),
    line('pp-late-pending', 'paid', after),
    line('pp-no-paid-at', 'paid', null),
  ].join('\n');

  async function reconcile(period: Record<string, string>): Promise<{ id: string; items: Item[] }> {
    const res = await request(hub.url)
      .post('/api/reconciliation/runs')
      .query(period)
      .set(adminHeaders)
      .set('content-type', 'text/csv')
      .send(csv);
    expect(res.status).toBe(201);
    return { id: res.body.id, items: res.body.exceptions.items as Item[] };
  }
  const pairs = (items: Item[]) => items.map((e) => `${e.type}:${e.orderId}`).sort();

  it('classifies rows and journal payments by their paid time', async () => {
    const run = await reconcile({ from: from.toISOString(), to: to.toISOString() });
    expect(pairs(run.items)).toEqual([
      'journal_paid_provider_not_paid:pp-absent-inside',
      'journal_paid_provider_not_paid:pp-refunded-paid-inside',
      'paid_outside_period:pp-early',
      'provider_paid_journal_pending:pp-late-pending',
    ]);
    const outside = run.items.find((e) => e.type === 'paid_outside_period')!;
    const shown = outside.detail.period!;
    expect([Date.parse(shown.from), Date.parse(shown.to)]).toEqual([from.getTime(), to.getTime()]);
    const view = await request(hub.url).get(`/api/reconciliation/runs/${run.id}`).set(adminHeaders);
    expect(view.body.summary).toMatchObject({ rows: 4, matched: 2, exceptions: 4 });
    expect(view.body.summary.byType.paid_outside_period).toEqual({
      count: 1,
      totals: { AMD: 5000 },
    });
    // The most dangerous first, the date-only finding last.
    expect(view.body.exceptions.items[0].type).toBe('provider_paid_journal_pending');
    expect(view.body.exceptions.items.at(-1).type).toBe('paid_outside_period');
  });

  it('without a period nothing is checked against a date', async () => {
    const run = await reconcile({});
    expect(pairs(run.items)).toEqual(['provider_paid_journal_pending:pp-late-pending']);
  });

  it('a paid_outside_period exception is only resolved, with a comment', async () => {
    const run = await reconcile({ from: from.toISOString(), to: to.toISOString() });
    const outside = run.items.find((e) => e.type === 'paid_outside_period')!;
    const repair = (body: Record<string, string>) =>
      request(hub.url)
        .post(`/api/reconciliation/exceptions/${outside.id}/repair`)
        .set(adminHeaders)
        .send(body);
    const lookup = await repair({ action: 'lookup' });
    expect(lookup.status).toBe(409);
    expect(lookup.body.message).toMatch(/^action: lookup does not apply to paid_outside_period/);
    const resolved = await repair({ action: 'resolve', comment: 'settled before midnight' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
  });
});
