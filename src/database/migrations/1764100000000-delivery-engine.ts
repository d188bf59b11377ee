import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryEngine1764100000000 implements MigrationInterface {
  name = 'DeliveryEngine1764100000000';

  public async up(q: QueryRunner): Promise<void> {
    // Destinations. Credentials are an AES-256-GCM envelope, never plain text.
    await q.query(`
      CREATE TABLE connections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type text NOT NULL,
        display_name text NOT NULL,
        mode text NOT NULL,
        account jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'active'
          CHECK (status IN ('active','needs_reconnect','disabled')),
        status_reason text,
        settings jsonb NOT NULL DEFAULT '{}',
        credentials bytea,
        credentials_version int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);

    // One row per (event, connection): the state of that effect lives here, not in Redis.
    await q.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigserial NOT NULL UNIQUE,
        event_id uuid NOT NULL REFERENCES payment_events(id),
        connection_id uuid NOT NULL REFERENCES connections(id),
        order_id text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN
          ('pending','in_progress','delivered','retry_scheduled','dead','skipped','parked')),
        attempts int NOT NULL DEFAULT 0,
        enqueue_seq int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_error_kind text,
        last_error_code text,
        last_error text,
        external_id text,
        external_url text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        CONSTRAINT uq_deliveries_event_connection UNIQUE (event_id, connection_id)
      )`);
    await q.query(`CREATE INDEX ix_deliveries_order ON deliveries (connection_id, order_id, seq)`);
    await q.query(
      `CREATE INDEX ix_deliveries_open ON deliveries (connection_id, seq)
       WHERE status IN ('pending','retry_scheduled','in_progress','parked')`,
    );
    await q.query(`CREATE INDEX ix_deliveries_status ON deliveries (status, updated_at)`);

    // Delayed jobs (retries) go through the outbox too.
    await q.query(`ALTER TABLE outbox ADD COLUMN available_at timestamptz`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN available_at`);
    await q.query(`DROP TABLE deliveries`);
    await q.query(`DROP TABLE connections`);
  }
}
