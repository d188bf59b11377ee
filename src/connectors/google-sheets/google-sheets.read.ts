import type { CrmOrderView, CrmReadResult, ReadOrder } from '../crm-connector';
import type { SheetsClient } from './google-sheets.client';
import { cellText, columnLetter, quoteSheet } from './google-sheets.mapper';
import type { SheetColumn } from './google-sheets.settings';

/**
 * The rows of the orders: one batchGet of the key column (and the status, amount and currency
 * columns when the sheet has them), first row per order id. A sheet keeps no notes.
 */
export async function readRows(
  client: SheetsClient,
  spreadsheetId: string,
  sheetTitle: string,
  columns: readonly SheetColumn[],
  orders: ReadOrder[],
  exponents: Record<string, number>,
): Promise<CrmReadResult> {
  const wanted: SheetColumn[] = ['orderId', 'status', 'amount', 'currency'];
  const present = wanted.filter((c) => columns.includes(c));
  if (!present.includes('orderId')) {
    return { supported: false, reason: 'the sheet has no orderId column to find rows by' };
  }
  const sheet = quoteSheet(sheetTitle);
  const ranges = present.map((c) => {
    const letter = columnLetter(columns.indexOf(c));
    return `${sheet}!${letter}:${letter}`;
  });
  const values = await client.batchGet(spreadsheetId, ranges);
  const col = (c: SheetColumn) => values[present.indexOf(c)] ?? [];
  const cell = (c: SheetColumn, row: number): unknown =>
    present.includes(c) ? col(c)[row]?.[0] : undefined;
  const rowOf = new Map<string, number>();
  col('orderId').forEach((r, i) => {
    const key = cellText(r?.[0]);
    if (i > 0 && key && !rowOf.has(key)) rowOf.set(key, i);
  });
  const views: CrmOrderView[] = orders.map((o) => {
    const i = rowOf.get(o.orderId);
    if (i === undefined) return { orderId: o.orderId, found: false };
    const status = present.includes('status') ? cellText(cell('status', i)) : null;
    const amount = cell('amount', i);
    const currency = present.includes('currency') ? cellText(cell('currency', i)) || null : null;
    const exponent = exponents[currency ?? o.currency ?? ''] ?? 2;
    return {
      orderId: o.orderId,
      found: true,
      externalId: String(i + 1),
      state: status,
      inStatus: status === null ? null : status === o.status,
      amountMinor:
        typeof amount === 'number' || (typeof amount === 'string' && amount.trim() !== '')
          ? Math.round(Number(amount) * 10 ** exponent)
          : null,
      currency,
    };
  });
  return { supported: true, orders: views };
}
