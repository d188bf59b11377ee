import { MigrationInterface, QueryRunner } from 'typeorm';

export class OauthStates1764300000000 implements MigrationInterface {
  name = 'OauthStates1764300000000';

  public async up(q: QueryRunner): Promise<void> {
    // Only hashes are stored: a database reader cannot complete someone's OAuth flow.
    await q.query(`
      CREATE TABLE oauth_states (
        state_hash text PRIMARY KEY,
        provider text NOT NULL,
        session_hash text NOT NULL,
        params jsonb NOT NULL DEFAULT '{}',
        actor text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX ix_oauth_states_expiry ON oauth_states (expires_at)`);
    await q.query(
      `CREATE UNIQUE INDEX uq_connections_account ON connections (type, (account->>'accountKey'))
       WHERE deleted_at IS NULL AND account ? 'accountKey'`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX uq_connections_account`);
    await q.query(`DROP TABLE oauth_states`);
  }
}
