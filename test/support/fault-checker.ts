import { SANDBOX_BITRIX24_PORTAL, SANDBOX_SPREADSHEET_ID } from '../../sandbox/demo/sandbox-env';
import { readEmulator, SHEET, type FaultStack } from './fault-stack';
import { waitFor } from './test-hub';

type Row = Record<string, unknown>;

const OPEN = `('pending','in_progress','retry_scheduled','parked')`;

function tally<T>(items: T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}

/** Where the journal stands: what a timeout reports. */
async function progress(stack: FaultStack, orders: string[]) {
  const rows = await stack.db.ds.query<Array<{ status: string; n: number; error: string | null }>>(
    `SELECT status, count(*)::int AS n, max(last_error) AS error FROM deliveries
      WHERE order_id = ANY($1) GROUP BY status`,
    [orders],
  );
  const [raw] = await stack.db.ds.query<Array<{ received: number; outbox: number }>>(
    `SELECT (SELECT count(*)::int FROM webhook_events WHERE status = 'received') AS received,
            (SELECT count(*)::int FROM outbox) AS outbox`,
  );
  return { deliveries: rows, ...raw };
}

/** Every order's paid event delivered to the three connections and nothing left open. */
async function settled(stack: FaultStack, orders: string[]): Promise<boolean> {
  const [r] = await stack.db.ds.query<Array<{ done: number; open: number; paid: number }>>(
    `SELECT
       (SELECT count(*)::int FROM deliveries d JOIN payment_events e ON e.id = d.event_id
         WHERE e.type = 'paid' AND d.status = 'delivered' AND d.order_id = ANY($1)) AS done,
       (SELECT count(*)::int FROM deliveries WHERE status IN ${OPEN} AND order_id = ANY($1)) AS open,
       (SELECT count(*)::int FROM payment_orders WHERE status = 'paid' AND order_id = ANY($1)) AS paid`,
    [orders],
  );
  return r.done >= orders.length * 3 && r.open === 0 && r.paid === orders.length;
}

/**
 * The one verdict of every fault scenario, read from each emulated CRM's API and the journal:
 * each paid order has exactly one paid event, one won Bitrix24 deal with one comment, one amoCRM
 * lead in status 142 with one note and one sheet row; nothing lost, nothing doubled, and no CRM
 * holds anything for an order that was not sent.
 */
export async function expectEveryOrderOnce(
  stack: FaultStack,
  orders: string[],
  reproduce: string,
  timeoutMs = 240_000,
): Promise<void> {
  const started = Date.now();
  try {
    await waitFor(() => settled(stack, orders), timeoutMs, 'every paid order delivered');
    console.log(`${orders.length} orders settled in ${Date.now() - started} ms (${reproduce})`);
  } catch (error) {
    const state = JSON.stringify(await progress(stack, orders));
    throw new Error(`${(error as Error).message} (${reproduce}); journal: ${state}`);
  }
  const problems: string[] = [];
  // Authentic fuzzed webhooks make orders of their own: those in the journal are not intruders.
  const journal = await stack.db.ds.query<Array<{ order_id: string }>>(
    `SELECT DISTINCT order_id FROM payment_events WHERE applied`,
  );
  const wanted = new Set([...orders, ...journal.map((r) => r.order_id)]);
  const flag = (what: string) => problems.length < 25 && problems.push(what);

  const events = await stack.db.ds.query<Array<{ order_id: string; n: number }>>(
    // Every verified webhook is a row; only the one that moved the order to paid is applied.
    `SELECT order_id, count(*)::int AS n FROM payment_events WHERE type = 'paid' AND applied
      GROUP BY order_id`,
  );
  const paidEvents = new Map(events.map((e) => [e.order_id, e.n]));

  const portal = `${stack.b24.url}/_emulator/portals/${SANDBOX_BITRIX24_PORTAL}`;
  const deals = tally(await readEmulator<Row[]>(`${portal}/deals`), (d) => String(d.ORIGIN_ID));
  const comments = tally(await readEmulator<Row[]>(`${portal}/comments`), (c) =>
    c.ENTITY_TYPE === 'deal' ? String(c.ENTITY_ID) : undefined,
  );

  const orderOf = (lead: Row) => {
    const fields = (lead.custom_fields_values ?? []) as Array<{
      field_id: number;
      values: Array<{ value: string | number }>;
    }>;
    const value = fields.find((f) => f.field_id === stack.orderIdField)?.values[0]?.value;
    return value === undefined ? undefined : String(value);
  };
  const leads = tally(await readEmulator<Row[]>(`${stack.amo.url}/_emulator/leads`), orderOf);
  const notes = tally(await readEmulator<Row[]>(`${stack.amo.url}/_emulator/notes`), (n) =>
    String(n.entity_id),
  );

  const range = encodeURIComponent(`'${SHEET}'`);
  const cells = await readEmulator<unknown[][]>(
    `${stack.google.url}/_emulator/spreadsheets/${SANDBOX_SPREADSHEET_ID}/cells?range=${range}`,
  );
  const rows = tally(cells.slice(1), (r) => String(r[0]));

  for (const order of orders) {
    if (paidEvents.get(order) !== 1)
      flag(`${order}: ${paidEvents.get(order) ?? 0} applied paid events`);
    const orderDeals = deals.get(order) ?? [];
    if (orderDeals.length !== 1) flag(`${order}: ${orderDeals.length} Bitrix24 deals`);
    for (const deal of orderDeals) {
      if (deal.STAGE_ID !== 'WON')
        flag(`${order}: deal ${String(deal.ID)} in ${String(deal.STAGE_ID)}`);
      const n = comments.get(String(deal.ID))?.length ?? 0;
      if (n !== 1) flag(`${order}: deal ${String(deal.ID)} has ${n} comments`);
    }
    const orderLeads = leads.get(order) ?? [];
    if (orderLeads.length !== 1) flag(`${order}: ${orderLeads.length} amoCRM leads`);
    for (const lead of orderLeads) {
      if (lead.status_id !== 142)
        flag(`${order}: lead ${String(lead.id)} in ${String(lead.status_id)}`);
      const n = notes.get(String(lead.id))?.length ?? 0;
      if (n !== 1) flag(`${order}: lead ${String(lead.id)} has ${n} notes`);
    }
    const orderRows = rows.get(order) ?? [];
    if (orderRows.length !== 1) flag(`${order}: ${orderRows.length} sheet rows`);
    else if (orderRows[0][1] !== 'paid')
      flag(`${order}: sheet row says ${String(orderRows[0][1])}`);
  }
  for (const [what, found] of [
    ['deal', deals],
    ['lead', leads],
    ['row', rows],
  ] as const) {
    for (const key of found.keys())
      if (!wanted.has(key)) flag(`a ${what} for unknown order ${key}`);
  }
  expect({ reproduce, orders: orders.length, problems }).toEqual({
    reproduce,
    orders: orders.length,
    problems: [],
  });
}
