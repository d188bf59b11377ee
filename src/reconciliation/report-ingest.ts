import { UnprocessableEntityException } from '@nestjs/common';
import type { CsvError } from 'csv-parse';
import type { Readable } from 'node:stream';
import type { PaymentStatus } from '../domain/payment-status';
import { ColumnMap, parseRow, ReportField } from './report-layout';
import type { ReportStaging } from './report-staging';

/** A report without these columns cannot be matched at all: the request is refused. */
const REQUIRED: ReportField[] = [
  'provider_reference',
  'order_id',
  'amount_minor',
  'currency',
  'status',
];

export class ReportRejected extends UnprocessableEntityException {}

function checkHeader(header: string[], columns: ColumnMap, field: string): string[] {
  const names = header.map((h) => String(h).trim());
  const missing = REQUIRED.filter((f) => !names.includes(columns[f]));
  if (missing.length) {
    throw new ReportRejected(
      `${field}: the header lacks ${missing.map((f) => `"${columns[f]}" (${f})`).join(', ')}; ` +
        'map other names with columns',
    );
  }
  return names;
}

/**
 * Streams CSV into staging: one record at a time (backpressure through async iteration), a
 * record the parser cannot read becomes a malformed row with its line number.
 */
export async function ingestCsv(
  input: Readable,
  staging: ReportStaging,
  columns: ColumnMap,
  statusMap: Record<string, PaymentStatus>,
  field = 'report',
): Promise<void> {
  const { parse } = await import('csv-parse');
  let sawHeader = false;
  const parser = parse({
    bom: true,
    columns: (header: string[]) => {
      sawHeader = true;
      return checkHeader(header, columns, field);
    },
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    max_record_size: 64 * 1024,
  });
  const skipped: Array<{ line: number; problem: string }> = [];
  parser.on('skip', (err: CsvError & { lines?: number }) => {
    skipped.push({ line: err.lines ?? 0, problem: `csv: ${err.message}`.slice(0, 200) });
  });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  for await (const item of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    while (skipped.length) await staging.add(malformed(skipped.shift()!));
    await staging.add(parseRow(item.record, item.info.lines, columns, statusMap));
  }
  while (skipped.length) await staging.add(malformed(skipped.shift()!));
  if (!sawHeader) throw new ReportRejected(`${field}: is empty (a CSV header row is required)`);
  await staging.flush();
}

function malformed(s: { line: number; problem: string }) {
  return { ok: false as const, ...s, providerReference: null, orderId: null };
}

/** JSON rows (objects keyed by column name); a row's line is its 1-based position. */
export async function ingestJson(
  rows: unknown[],
  staging: ReportStaging,
  columns: ColumnMap,
  statusMap: Record<string, PaymentStatus>,
): Promise<void> {
  for (let i = 0; i < rows.length; i++) {
    const record = rows[i];
    if (!record || typeof record !== 'object' || Array.isArray(record)) {
      await staging.add(malformed({ line: i + 1, problem: 'row: must be an object' }));
      continue;
    }
    await staging.add(parseRow(record as Record<string, unknown>, i + 1, columns, statusMap));
  }
  await staging.flush();
}
