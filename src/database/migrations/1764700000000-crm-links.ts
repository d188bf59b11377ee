import { MigrationInterface, QueryRunner } from 'typeorm';

export class CrmLinks1764700000000 implements MigrationInterface {
  name = 'CrmLinks1764700000000';

  public async up(q: QueryRunner): Promise<void> {
    // Inbound CRM events (Bitrix24 deal events, amoCRM status webhooks): hints, stored once each.
    await q.query(`
      CREATE TABLE crm_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider text NOT NULL,
        connection_id uuid NOT NULL REFERENCES connections (id),
        dedup_key text NOT NULL,
        event_type text NOT NULL,
        entity_id text NOT NULL,
        raw_body text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL DEFAULT 'received',
        outcome text,
        processed_at timestamptz,
        rechecks int NOT NULL DEFAULT 0,
        CONSTRAINT uq_crm_events_dedup UNIQUE (provider, dedup_key)
      )`);
    // One row per deal or lead that entered a trigger stage: its order, and what was written back.
    await q.query(`
      CREATE TABLE crm_link_entities (
        connection_id uuid NOT NULL REFERENCES connections (id),
        entity_id text NOT NULL,
        order_id text NOT NULL,
        generation int NOT NULL DEFAULT 1,
        written_link_id uuid,
        refusal text,
        left_stage boolean NOT NULL DEFAULT false,
        entered_at text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (connection_id, entity_id)
      )`);
    await q.query(`
      CREATE TABLE crm_link_subscriptions (
        connection_id uuid PRIMARY KEY REFERENCES connections (id),
        destination text,
        application_token bytea,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE crm_link_subscriptions`);
    await q.query(`DROP TABLE crm_link_entities`);
    await q.query(`DROP TABLE crm_events`);
  }
}
