import { MigrationInterface, QueryRunner } from 'typeorm';

export class OutboxNotify1764800000000 implements MigrationInterface {
  name = 'OutboxNotify1764800000000';

  public async up(q: QueryRunner): Promise<void> {
    // Per statement, in the inserting transaction: delivered on commit, at most one per commit.
    await q.query(`
      CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('vposhub_outbox', '');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
        FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER outbox_notify ON outbox`);
    await q.query(`DROP FUNCTION outbox_notify()`);
  }
}
