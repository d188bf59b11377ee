import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { createTestDatabase, TestDatabase } from './support/test-hub';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const tables = async () =>
    (
      await db.ds.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      )
    ).map((r) => r.table_name);

  it('apply, revert completely and apply again', async () => {
    expect(await tables()).toEqual(
      expect.arrayContaining([
        'audit_log',
        'outbox',
        'payment_attempts',
        'payment_events',
        'payment_orders',
        'webhook_events',
      ]),
    );
    const ds = new DataSource(dataSourceOptions(db.url, 2));
    await ds.initialize();
    try {
      for (let i = 0; i < ds.migrations.length; i++) await ds.undoLastMigration();
      expect(await tables()).toEqual(['typeorm_migrations']);
      await ds.runMigrations();
      expect(await tables()).toContain('webhook_events');
    } finally {
      await ds.destroy();
    }
  });

  it('the audit log is append-only', async () => {
    await db.ds.query(`INSERT INTO audit_log (kind, actor) VALUES ('test', 'test')`);
    await expect(db.ds.query(`UPDATE audit_log SET kind = 'x'`)).rejects.toThrow(/append-only/);
    await expect(db.ds.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(db.ds.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
  });

  it('the dedup key is unique per provider event id', async () => {
    await db.ds.query(
      `INSERT INTO webhook_events (provider, provider_event_id, raw_body) VALUES ('vpos', 'e1', '{}')`,
    );
    await expect(
      db.ds.query(
        `INSERT INTO webhook_events (provider, provider_event_id, raw_body) VALUES ('vpos', 'e1', '{}')`,
      ),
    ).rejects.toThrow(/uq_webhook_events_dedup/);
  });
});
