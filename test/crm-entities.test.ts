import { randomUUID } from 'node:crypto';
import { CrmEntitiesService } from '../src/connectors/shared/crm-entities.service';
import { createTestDatabase, TestDatabase } from './support/test-hub';

describe('crm_entities: what each order became in each destination', () => {
  let db: TestDatabase;
  let store: CrmEntitiesService;
  const conn = randomUUID();
  const other = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new CrmEntitiesService(db.ds);
    for (const id of [conn, other]) {
      await db.ds.query(
        `INSERT INTO connections (id, type, display_name, mode, account, settings)
         VALUES ($1, 'google-sheets', 'x', 'oauth', '{}', '{}')`,
        [id],
      );
    }
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('upserts by (connection, order, type) and reads many at once, in a caller transaction too', async () => {
    await store.upsert([
      { connectionId: conn, orderId: 'o-1', entityType: 'sheet_row', externalId: '2', detail: {} },
      { connectionId: conn, orderId: 'o-2', entityType: 'sheet_row', externalId: '3', detail: {} },
      { connectionId: other, orderId: 'o-1', entityType: 'deal', externalId: '77', detail: {} },
    ]);
    await db.ds.transaction((m) =>
      store.upsert(
        [
          {
            connectionId: conn,
            orderId: 'o-1',
            entityType: 'sheet_row',
            externalId: '9',
            detail: { at: 'x' },
          },
        ],
        m,
      ),
    );
    const rows = await store.getMany(conn, 'sheet_row', ['o-1', 'o-2', 'o-3']);
    expect([...rows.keys()].sort()).toEqual(['o-1', 'o-2']);
    expect(rows.get('o-1')).toMatchObject({ externalId: '9', detail: { at: 'x' } });
    expect(await store.getMany(conn, 'deal', ['o-1'])).toEqual(new Map());
    expect((await store.forOrders(['o-1'])).map((r) => r.entityType).sort()).toEqual([
      'deal',
      'sheet_row',
    ]);
    const [{ n }] = await db.ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM crm_entities`,
    );
    expect(n).toBe(3);
  });

  it('a create is claimed by one attempt at a time, never once its entity is recorded', async () => {
    const t0 = new Date('2026-12-01T10:00:00Z');
    const later = (ms: number) => new Date(t0.getTime() + ms);
    const claim = (orders: string[], at: Date) => store.creating(conn, 'lead', orders, at, 60_000);
    expect(await claim(['c-1', 'c-2'], t0)).toEqual(new Set(['c-1', 'c-2']));
    // A second attempt (a worker whose lease ran out) while the first may still land: refused.
    expect(await claim(['c-1'], later(59_000))).toEqual(new Set());
    expect(await store.createsInDoubt(conn, 'lead', ['c-1', 'c-3'])).toEqual(
      new Map([['c-1', t0]]),
    );
    expect(await claim(['c-1'], later(61_000))).toEqual(new Set(['c-1']));
    await store.recordIds(conn, 'lead', [{ orderId: 'c-2', id: 42 }]);
    expect(await store.createsInDoubt(conn, 'lead', ['c-2'])).toEqual(new Map());
    expect(await claim(['c-2'], later(600_000))).toEqual(new Set());
    expect(await store.creating(other, 'lead', ['c-2'], t0, 60_000)).toEqual(new Set(['c-2']));
  });

  it('a recorded entity the CRM no longer has may be made again, by the attempt that saw it gone', async () => {
    const at = new Date('2026-12-01T11:00:00Z');
    await store.recordIds(conn, 'deal', [{ orderId: 'd-1', id: 7 }]);
    const claim = (stale: Map<string, number>) =>
      store.creating(conn, 'deal', ['d-1'], at, 60_000, stale);
    // Another attempt recorded a new deal meanwhile (not the one this attempt found gone): refused.
    expect(await claim(new Map([['d-1', 6]]))).toEqual(new Set());
    expect(await claim(new Map())).toEqual(new Set());
    expect(await claim(new Map([['d-1', 7]]))).toEqual(new Set(['d-1']));
    // And only once while that create may still land.
    expect(await claim(new Map([['d-1', 7]]))).toEqual(new Set());
  });
});
