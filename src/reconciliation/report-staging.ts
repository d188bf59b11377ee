import type { DataSource } from 'typeorm';
import { rankOf } from './exception-types';
import type { ParsedRow, RowOutcome } from './report-layout';

const BATCH = 1000;

/** Writes parsed rows to the staging table (and malformed ones as exceptions) in batches. */
export class ReportStaging {
  private rows: ParsedRow[] = [];
  private bad: Array<Extract<RowOutcome, { ok: false }>> = [];
  count = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly runId: string,
  ) {}

  async add(outcome: RowOutcome): Promise<void> {
    this.count += 1;
    if (outcome.ok) this.rows.push(outcome.row);
    else this.bad.push(outcome);
    if (this.rows.length >= BATCH || this.bad.length >= BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    const rows = this.rows;
    const bad = this.bad;
    this.rows = [];
    this.bad = [];
    if (rows.length) {
      await this.ds.query(
        `INSERT INTO reconciliation_rows (run_id, line, provider_reference, order_id, amount_minor,
           currency, status, paid_at, refund_amount_minor)
         SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::bigint[], $6::text[],
           $7::text[], $8::timestamptz[], $9::bigint[])`,
        [
          this.runId,
          rows.map((r) => r.line),
          rows.map((r) => r.providerReference),
          rows.map((r) => r.orderId),
          rows.map((r) => r.amountMinor),
          rows.map((r) => r.currency),
          rows.map((r) => r.status),
          rows.map((r) => r.paidAt?.toISOString() ?? null),
          rows.map((r) => r.refundAmountMinor),
        ],
      );
    }
    if (bad.length) {
      await this.ds.query(
        `INSERT INTO reconciliation_exceptions (run_id, type, rank, line, provider_reference,
           order_id, detail)
         SELECT $1, 'malformed_row', $2, line, ref, ord, jsonb_build_object('problem', problem)
         FROM unnest($3::int[], $4::text[], $5::text[], $6::text[]) AS b(line, ref, ord, problem)`,
        [
          this.runId,
          rankOf('malformed_row'),
          bad.map((b) => b.line),
          bad.map((b) => b.providerReference),
          bad.map((b) => b.orderId),
          bad.map((b) => b.problem),
        ],
      );
    }
  }
}
