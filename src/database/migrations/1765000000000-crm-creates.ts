import { MigrationInterface, QueryRunner } from 'typeorm';

export class CrmCreates1765000000000 implements MigrationInterface {
  name = 'CrmCreates1765000000000';

  public async up(q: QueryRunner): Promise<void> {
    // A create sent whose answer was never recorded: it may have happened, so a retry looks first.
    await q.query(`
      CREATE TABLE crm_creates (
        connection_id uuid NOT NULL REFERENCES connections (id),
        order_id text NOT NULL,
        entity_type text NOT NULL,
        sent_at timestamptz NOT NULL,
        PRIMARY KEY (connection_id, order_id, entity_type)
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE crm_creates`);
  }
}
