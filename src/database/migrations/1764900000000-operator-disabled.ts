import { MigrationInterface, QueryRunner } from 'typeorm';

export class OperatorDisabled1764900000000 implements MigrationInterface {
  name = 'OperatorDisabled1764900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE operators ADD COLUMN disabled_at timestamptz`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE operators DROP COLUMN disabled_at`);
  }
}
