import { MigrationInterface, QueryRunner } from 'typeorm';

export class PaymentReviews1764420000000 implements MigrationInterface {
  name = 'PaymentReviews1764420000000';

  public async up(q: QueryRunner): Promise<void> {
    // One open review per attempt; a resolved one stays as the record of who decided what.
    await q.query(`
      CREATE TABLE payment_reviews (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id text NOT NULL REFERENCES payment_orders(order_id),
        attempt_id uuid NOT NULL REFERENCES payment_attempts(id),
        kind text NOT NULL CHECK (kind IN ('flag','mismatch','contradiction')),
        reason text NOT NULL,
        mismatches jsonb NOT NULL DEFAULT '[]',
        event_id uuid REFERENCES payment_events(id),
        opened_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz,
        resolution text CHECK (resolution IN ('auto','lookup','accept_paid','mark_failed')),
        resolved_by text,
        resolution_reason text,
        resolved_event_id uuid REFERENCES payment_events(id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_payment_reviews_open ON payment_reviews (attempt_id)
       WHERE resolved_at IS NULL`,
    );
    await q.query(`CREATE INDEX ix_payment_reviews_order ON payment_reviews (order_id, opened_at)`);
    // The recovery scheduler also looks up attempts under review.
    await q.query(
      `CREATE INDEX ix_payment_attempts_review_check ON payment_attempts (next_check_at)
       WHERE status = 'manual_review'`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_payment_attempts_review_check`);
    await q.query(`DROP TABLE payment_reviews`);
  }
}
