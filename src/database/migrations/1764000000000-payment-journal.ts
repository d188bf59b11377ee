import { MigrationInterface, QueryRunner } from 'typeorm';

const STATUSES = `'created','pending','paid','failed','cancelled','expired','refunded','partially_refunded','manual_review'`;

export class PaymentJournal1764000000000 implements MigrationInterface {
  name = 'PaymentJournal1764000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider text NOT NULL,
        provider_event_id text NOT NULL,
        webhook_id text,
        event_type text,
        claimed_order_id text,
        claimed_payment_id text,
        headers jsonb NOT NULL DEFAULT '{}',
        raw_body text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL DEFAULT 'received'
          CHECK (status IN ('received','verified','manual_review','ignored','failed')),
        verify_attempts int NOT NULL DEFAULT 0,
        last_error text,
        processed_at timestamptz,
        CONSTRAINT uq_webhook_events_dedup UNIQUE (provider, provider_event_id)
      )`);
    await q.query(
      `CREATE INDEX ix_webhook_events_claimed_order ON webhook_events (claimed_order_id)`,
    );
    await q.query(
      `CREATE INDEX ix_webhook_events_unprocessed ON webhook_events (received_at) WHERE status IN ('received','failed')`,
    );

    // Transactional outbox: rows written with the event, moved to BullMQ by the relay.
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        queue text NOT NULL,
        job_name text NOT NULL,
        job_id text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts int NOT NULL DEFAULT 0,
        last_error text
      )`);

    await q.query(`
      CREATE TABLE payment_orders (
        order_id text PRIMARY KEY,
        status text NOT NULL CHECK (status IN (${STATUSES})),
        amount_minor bigint,
        currency text,
        customer_phone text,
        customer_id text,
        crm jsonb NOT NULL DEFAULT '{}',
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE payment_attempts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id text NOT NULL REFERENCES payment_orders(order_id),
        attempt_no int NOT NULL CHECK (attempt_no > 0),
        provider text NOT NULL,
        provider_payment_id text,
        status text NOT NULL CHECK (status IN (${STATUSES})),
        amount_minor bigint,
        currency text,
        refunded_amount_minor bigint NOT NULL DEFAULT 0,
        status_changed_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_payment_attempts_no UNIQUE (order_id, attempt_no),
        CONSTRAINT uq_payment_attempts_provider_id UNIQUE (provider, provider_payment_id)
      )`);

    await q.query(`
      CREATE TABLE payment_events (
        id uuid PRIMARY KEY,
        schema_version int NOT NULL,
        order_id text NOT NULL REFERENCES payment_orders(order_id),
        attempt_id uuid REFERENCES payment_attempts(id),
        raw_event_id uuid REFERENCES webhook_events(id),
        type text NOT NULL CHECK (type IN (${STATUSES})),
        previous_status text,
        applied boolean NOT NULL,
        amount_minor bigint,
        currency text,
        occurred_at timestamptz NOT NULL,
        verified_at timestamptz NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_payment_events_raw UNIQUE (raw_event_id)
      )`);
    await q.query(`CREATE INDEX ix_payment_events_order ON payment_events (order_id, created_at)`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        order_id text,
        attempt_id uuid,
        event_id uuid,
        raw_event_id uuid,
        kind text NOT NULL,
        actor text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX ix_audit_log_order ON audit_log (order_id, id)`);
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only()`);
    await q.query(`DROP TABLE payment_events`);
    await q.query(`DROP TABLE payment_attempts`);
    await q.query(`DROP TABLE payment_orders`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE webhook_events`);
  }
}
