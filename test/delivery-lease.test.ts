import { addWebhookConnection, pay } from './support/delivery-fixtures';
import { startStack, Stack } from './support/stack';
import { waitFor } from './support/test-hub';

// A call that outlives the lease (here 2 s against an answer after 6 s) keeps its rows: the
// sweeper runs every 0.5 s and would hand an expired row to a second attempt.
describe('delivery lease: a long call is not sent twice', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ DELIVERY_LEASE_SECONDS: '2', SWEEP_INTERVAL_MS: '500' });
    await addWebhookConnection(stack.hub, stack.receiver, { timeoutMs: 15000 });
  });
  afterAll(() => stack?.close());

  it('renews the lease while the destination is slow to answer', async () => {
    const { receiver, vpos, db } = stack;
    let slow = true;
    receiver.setBeforeRespond(async () => {
      if (!slow) return;
      slow = false;
      await new Promise((r) => setTimeout(r, 6000));
    });
    const session = pay(vpos);
    const [row] = await waitFor(
      async () => {
        const rows = await db.ds.query<Array<{ status: string; attempts: number }>>(
          `SELECT status, attempts FROM deliveries WHERE order_id = $1`,
          [session.merchantOrderId],
        );
        return rows.length === 1 && rows[0].status === 'delivered' ? rows : undefined;
      },
      30000,
      'delivered',
    );
    expect(row.attempts).toBe(1);
    expect(receiver.stats.requests).toBe(1);
    expect(receiver.eventsFor(session.merchantOrderId)).toHaveLength(1);
  }, 60000);
});
