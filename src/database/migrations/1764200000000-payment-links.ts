import { MigrationInterface, QueryRunner } from 'typeorm';

export class PaymentLinks1764200000000 implements MigrationInterface {
  name = 'PaymentLinks1764200000000';

  public async up(q: QueryRunner): Promise<void> {
    // The fixed-price catalog (consultation prepayment, delivery, deposit, ...).
    await q.query(`
      CREATE TABLE products (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        description text,
        default_ttl_seconds int NOT NULL CHECK (default_ttl_seconds > 0),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    // One link per payment attempt; the Idempotency-Key makes creation safe to retry.
    await q.query(`
      CREATE TABLE payment_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id text NOT NULL REFERENCES payment_orders(order_id),
        attempt_id uuid NOT NULL UNIQUE REFERENCES payment_attempts(id),
        product_id uuid REFERENCES products(id),
        status text NOT NULL DEFAULT 'creating' CHECK (status IN
          ('creating','active','paid','failed','cancelled','expired','refunded','manual_review')),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        description text,
        customer jsonb NOT NULL DEFAULT '{}',
        crm jsonb NOT NULL DEFAULT '{}',
        metadata jsonb NOT NULL DEFAULT '{}',
        language text NOT NULL DEFAULT 'hy',
        url text,
        provider_session_id text,
        expires_at timestamptz NOT NULL,
        idempotency_key text NOT NULL,
        request_hash text NOT NULL,
        created_by text NOT NULL,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_payment_links_idempotency UNIQUE (idempotency_key)
      )`);
    await q.query(`CREATE INDEX ix_payment_links_order ON payment_links (order_id, created_at)`);
    await q.query(
      `CREATE INDEX ix_payment_links_expiry ON payment_links (expires_at) WHERE status = 'active'`,
    );

    // Missed-webhook recovery: when to look an open attempt up at VPOS next.
    await q.query(`ALTER TABLE payment_attempts ADD COLUMN next_check_at timestamptz`);
    await q.query(`ALTER TABLE payment_attempts ADD COLUMN checks int NOT NULL DEFAULT 0`);
    await q.query(
      `CREATE INDEX ix_payment_attempts_recovery ON payment_attempts (next_check_at)
       WHERE status IN ('created','pending')`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_payment_attempts_recovery`);
    await q.query(`ALTER TABLE payment_attempts DROP COLUMN checks`);
    await q.query(`ALTER TABLE payment_attempts DROP COLUMN next_check_at`);
    await q.query(`DROP TABLE payment_links`);
    await q.query(`DROP TABLE products`);
  }
}
