import { MigrationInterface, QueryRunner } from 'typeorm';

export class CrmEntities1764400000000 implements MigrationInterface {
  name = 'CrmEntities1764400000000';

  public async up(q: QueryRunner): Promise<void> {
    // What each order became in each destination (a deal, a lead, a sheet row): connectors read
    // it before any search, because CRM search indexes lag behind a create.
    await q.query(`
      CREATE TABLE crm_entities (
        connection_id uuid NOT NULL REFERENCES connections (id),
        order_id text NOT NULL,
        entity_type text NOT NULL,
        external_id text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (connection_id, order_id, entity_type)
      )`);
    await q.query(`CREATE INDEX ix_crm_entities_order ON crm_entities (order_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE crm_entities`);
  }
}
