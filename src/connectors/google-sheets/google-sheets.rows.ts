import type { DeliveryItem, DeliveryItemResult } from '../crm-connector';
import type { SheetsClient, SheetTab } from './google-sheets.client';
import { classifySheetsError } from './google-sheets.errors';
import { Cell, cellText, columnLetter, firstRowOf, quoteSheet } from './google-sheets.mapper';

export interface RowRecord {
  row: number;
  eventAt: string;
}

export interface RowRecords {
  get(orderIds: string[]): Promise<Map<string, RowRecord>>;
  save(rows: Array<{ orderId: string } & RowRecord>): Promise<void>;
}

export interface SheetTarget {
  spreadsheetId: string;
  tab: SheetTab;
  width: number;
  keyColumn: number;
  /** `https://docs.google.com`, or the emulator's origin in sandbox mode. */
  uiUrl: string;
}

export interface RowWork {
  item: DeliveryItem;
  values: Cell[];
}

/** Past this many known rows one read of the key column beats a range per row. */
const CELL_CHECK_LIMIT = 100;

export function rowUrl(target: SheetTarget, row: number): string {
  return `${target.uiUrl}/spreadsheets/d/${target.spreadsheetId}/edit#gid=${target.tab.sheetId}&range=A${row}`;
}

// A stale record, or a retry with none, reads the key column so a row is never appended twice.
export async function upsertRows(
  client: SheetsClient,
  target: SheetTarget,
  work: RowWork[],
  records: RowRecords,
): Promise<DeliveryItemResult[]> {
  const { spreadsheetId, tab, keyColumn } = target;
  const sheet = quoteSheet(tab.title);
  const key = columnLetter(keyColumn);
  const orderOf = (w: RowWork) => w.item.event.orderId;
  const known = await records.get(work.map(orderOf));
  const results: DeliveryItemResult[] = [];
  const delivered = (w: RowWork, row: number, detail?: string): DeliveryItemResult => ({
    deliveryId: w.item.deliveryId,
    outcome: 'delivered',
    externalId: String(row),
    externalUrl: rowUrl(target, row),
    ...(detail ? { detail } : {}),
  });

  const pending: RowWork[] = [];
  for (const w of work) {
    const rec = known.get(orderOf(w));
    if (rec && Date.parse(rec.eventAt) > Date.parse(w.item.event.verifiedAt)) {
      results.push(delivered(w, rec.row, 'the row already shows a later event'));
    } else pending.push(w);
  }

  const rows = new Map<string, number>();
  const recorded = pending.filter((w) => known.has(orderOf(w)));
  let scan = pending.some((w) => !known.has(orderOf(w)) && w.item.attempt > 1);
  if (!scan && recorded.length > CELL_CHECK_LIMIT) scan = true;
  if (!scan && recorded.length > 0) {
    const cells = await client.batchGet(
      spreadsheetId,
      recorded.map((w) => `${sheet}!${key}${known.get(orderOf(w))!.row}`),
    );
    recorded.forEach((w, i) => {
      if (cellText(cells[i]?.[0]?.[0]) === orderOf(w)) {
        rows.set(orderOf(w), known.get(orderOf(w))!.row);
      } else scan = true;
    });
  }
  if (scan) {
    const column = await client.get(spreadsheetId, `${sheet}!${key}:${key}`);
    const wanted = new Set(pending.map(orderOf));
    column.forEach((cells, i) => {
      const value = cellText(cells?.[0]);
      if (wanted.has(value) && !rows.has(value)) rows.set(value, i + 1);
    });
  }

  const last = columnLetter(target.width - 1);
  const updates = pending.filter((w) => rows.has(orderOf(w)));
  const appends = pending.filter((w) => !rows.has(orderOf(w)));
  const saved: Array<{ orderId: string } & RowRecord> = [];
  const record = (w: RowWork, row: number) =>
    saved.push({ orderId: orderOf(w), row, eventAt: w.item.event.verifiedAt });

  if (updates.length > 0) {
    await client.batchUpdate(
      spreadsheetId,
      updates.map((w) => {
        const row = rows.get(orderOf(w))!;
        return { range: `${sheet}!A${row}:${last}${row}`, values: [w.values] };
      }),
    );
    for (const w of updates) {
      record(w, rows.get(orderOf(w))!);
      results.push(delivered(w, rows.get(orderOf(w))!));
    }
  }
  if (appends.length > 0) {
    try {
      const range = await client.append(
        spreadsheetId,
        `${sheet}!A:${last}`,
        appends.map((w) => w.values),
      );
      const first = firstRowOf(range);
      if (first === undefined) throw new Error(`append answered no row (${range || 'empty'})`);
      appends.forEach((w, i) => {
        record(w, first + i);
        results.push(delivered(w, first + i));
      });
    } catch (err) {
      // The updates above stand; only the new rows are retried (with the key-column check).
      const error = classifySheetsError(err);
      for (const w of appends)
        results.push({ deliveryId: w.item.deliveryId, outcome: 'failed', error });
    }
  }
  await records.save(saved);
  return results;
}
