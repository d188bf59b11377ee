import type { Writable } from 'node:stream';
import type { DataSource } from 'typeorm';
import type { ExceptionType } from './exception-types';

const HEADER = [
  'id',
  'type',
  'line',
  'order_id',
  'provider_reference',
  'connection_id',
  'connection_type',
  'amount_minor',
  'currency',
  'status',
  'detail',
  'resolved_by',
  'resolved_at',
];

const PAGE = 1000;

/** A spreadsheet would run a cell starting with = + - @ (or a tab / CR) as a formula. */
export function safeCell(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  const text =
    value instanceof Date
      ? value.toISOString()
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Streams a run's exceptions as CSV, a page of rows at a time (keyset paging). */
export async function writeExceptionsCsv(
  ds: DataSource,
  runId: string,
  type: ExceptionType | undefined,
  out: Writable,
): Promise<void> {
  const { stringify } = await import('csv-stringify');
  const csv = stringify({ header: true, columns: HEADER });
  csv.pipe(out);
  let after: [number, number, string] = [0, -1, '00000000-0000-0000-0000-000000000000'];
  for (;;) {
    const rows = await ds.query<Array<Record<string, unknown>>>(
      `SELECT id, type, rank, COALESCE(line, 2147483647) AS line_key, line, order_id,
         provider_reference, connection_id, connection_type, amount_minor::float8 AS amount_minor,
         currency, status, detail, resolved_by, resolved_at
       FROM reconciliation_exceptions
       WHERE run_id = $1 AND ($2::text IS NULL OR type = $2)
         AND (rank, COALESCE(line, 2147483647), id) > ($3, $4, $5::uuid)
       ORDER BY rank, COALESCE(line, 2147483647), id LIMIT ${PAGE}`,
      [runId, type ?? null, ...after],
    );
    for (const r of rows) {
      const record = HEADER.map((h) => safeCell(h === 'detail' ? JSON.stringify(r.detail) : r[h]));
      if (!csv.write(record)) await new Promise((resolve) => csv.once('drain', resolve));
    }
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1];
    after = [Number(last.rank), Number(last.line_key), String(last.id)];
  }
  csv.end();
  await new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
  });
}
