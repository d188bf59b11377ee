import { MigrationInterface, QueryRunner } from 'typeorm';

export class Reconciliation1764500000000 implements MigrationInterface {
  name = 'Reconciliation1764500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reconciliation_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        status text NOT NULL DEFAULT 'ingesting'
          CHECK (status IN ('ingesting','queued','running','completed','failed')),
        source text NOT NULL CHECK (source IN ('upload','scheduled_report','scheduled_lookup')),
        period_from timestamptz,
        period_to timestamptz,
        columns jsonb NOT NULL DEFAULT '{}',
        row_count int NOT NULL DEFAULT 0,
        matched_count int NOT NULL DEFAULT 0,
        summary jsonb NOT NULL DEFAULT '{}',
        destinations jsonb NOT NULL DEFAULT '[]',
        error text,
        actor text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    // The report as parsed, matched in SQL and deleted once the run is finished.
    await q.query(`
      CREATE TABLE reconciliation_rows (
        run_id uuid NOT NULL REFERENCES reconciliation_runs (id) ON DELETE CASCADE,
        line int NOT NULL,
        provider_reference text,
        order_id text,
        amount_minor bigint,
        currency text,
        status text NOT NULL,
        paid_at timestamptz,
        refund_amount_minor bigint,
        PRIMARY KEY (run_id, line)
      )`);
    await q.query(
      `CREATE INDEX ix_reconciliation_rows_ref ON reconciliation_rows (run_id, provider_reference)`,
    );
    await q.query(
      `CREATE INDEX ix_reconciliation_rows_order ON reconciliation_rows (run_id, order_id)`,
    );
    await q.query(`
      CREATE TABLE reconciliation_exceptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_id uuid NOT NULL REFERENCES reconciliation_runs (id) ON DELETE CASCADE,
        type text NOT NULL,
        rank int NOT NULL,
        line int,
        order_id text,
        provider_reference text,
        connection_id uuid,
        connection_type text,
        amount_minor bigint,
        currency text,
        detail jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved','repaired')),
        resolution jsonb,
        resolved_by text,
        resolved_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX ix_reconciliation_exceptions_run ON reconciliation_exceptions (run_id, rank, line, id)`,
    );
    await q.query(
      `CREATE INDEX ix_reconciliation_exceptions_order ON reconciliation_exceptions (order_id)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reconciliation_exceptions`);
    await q.query(`DROP TABLE reconciliation_rows`);
    await q.query(`DROP TABLE reconciliation_runs`);
  }
}
