import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { JOBS, jobIdSql, QUEUES } from '../queue/queues';

export interface IntakeRow {
  providerEventId: string;
  webhookId: string | null;
  eventType: string | null;
  orderId: string | null;
  paymentId: string | null;
  headers: string;
  rawBody: string;
  audit: string;
}

export const INTAKE_MAX_IN_FLIGHT = 4;
export const INTAKE_MAX_ROWS = 200;

// Only each event id's first row is inserted: ON CONFLICT cannot say which of two equal rows won.
const INTAKE_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                       $7::text[], $8::text[], $9::bool[])
    WITH ORDINALITY AS t(provider_event_id, webhook_id, event_type, order_id, payment_id, headers,
                         raw_body, audit, first, ord)
), ins AS (
  INSERT INTO webhook_events
    (provider, provider_event_id, webhook_id, event_type, claimed_order_id, claimed_payment_id,
     headers, raw_body)
  SELECT 'vpos', provider_event_id, webhook_id, event_type, order_id, payment_id, headers::jsonb,
         raw_body
  FROM input WHERE first ORDER BY ord
  ON CONFLICT (provider, provider_event_id) DO NOTHING
  RETURNING id, provider_event_id
), ob AS (
  INSERT INTO outbox (queue, job_name, job_id, payload)
  SELECT $10, $11, ${jobIdSql.verifyWebhook('id')}, jsonb_build_object('webhookEventId', id)
  FROM ins
), res AS (
  SELECT i.ord, i.order_id, i.audit, ins.id
  FROM input i LEFT JOIN ins ON i.first AND ins.provider_event_id = i.provider_event_id
), au AS (
  INSERT INTO audit_log (order_id, raw_event_id, kind, actor, data)
  SELECT order_id, id, 'webhook.received', 'vpos',
         audit::jsonb || jsonb_build_object('duplicate', id IS NULL)
  FROM res ORDER BY ord
)
SELECT id AS inserted_id FROM res ORDER BY ord`;

interface Waiting {
  row: IntakeRow;
  resolve: (insertedId: string | null) => void;
  reject: (err: unknown) => void;
}

// Group commit: webhooks arriving while statements run share the next one; a failed one is retried row by row.
@Injectable()
export class IntakeBatcher {
  readonly stats = { batches: 0, rows: 0, retriedBatches: 0 };
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  store(row: IntakeRow): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // Whatever else arrives in this turn of the event loop joins the same statement.
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    });
  }

  get queued(): number {
    return this.waiting.length;
  }

  private flush(): void {
    while (this.waiting.length > 0 && this.inFlight < INTAKE_MAX_IN_FLIGHT) {
      const batch = this.waiting.splice(0, INTAKE_MAX_ROWS);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.flush();
      });
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      const ids = await this.insert(batch.map((w) => w.row));
      batch.forEach((w, i) => w.resolve(ids[i]));
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err);
      this.stats.retriedBatches++;
      await Promise.all(
        batch.map((w) =>
          this.insert([w.row]).then(
            ([id]) => w.resolve(id),
            (rowErr: unknown) => w.reject(rowErr),
          ),
        ),
      );
    }
  }

  private async insert(rows: IntakeRow[]): Promise<Array<string | null>> {
    const seen = new Set<string>();
    const first = rows.map((r) => !seen.has(r.providerEventId) && !!seen.add(r.providerEventId));
    const column = <K extends keyof IntakeRow>(key: K) => rows.map((r) => r[key]);
    // Named: PostgreSQL plans it once per connection, whatever the batch size.
    const { rows: result } = await this.pool().query<{ inserted_id: string | null }>({
      name: 'vposhub_intake_v2',
      text: INTAKE_SQL,
      values: [
        column('providerEventId'),
        column('webhookId'),
        column('eventType'),
        column('orderId'),
        column('paymentId'),
        column('headers'),
        column('rawBody'),
        column('audit'),
        first,
        QUEUES.verification,
        JOBS.verifyWebhook,
      ],
    });
    this.stats.batches++;
    this.stats.rows += rows.length;
    return result.map((r) => r.inserted_id);
  }

  private pool(): Pool {
    return (this.ds.driver as PostgresDriver).master as Pool;
  }
}
