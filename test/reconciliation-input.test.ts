import request from 'supertest';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TestDatabase,
  TestHub,
} from './support/test-hub';

const HEADER =
  'provider_reference,order_id,amount_minor,currency,status,paid_at,refund_amount_minor';

describe('reconciliation: bad input is a 4xx naming the field, never a run', () => {
  let db: TestDatabase;
  let hub: TestHub;

  beforeAll(async () => {
    db = await createTestDatabase();
    hub = await startTestHub(db, { RECONCILIATION_SCHEDULE: 'off' });
  });
  afterAll(async () => {
    await hub?.close();
    await db?.drop();
  });

  const post = (query: Record<string, string> = {}) =>
    request(hub.url).post('/api/reconciliation/runs').query(query).set(adminHeaders);
  const csv = (body: string, query: Record<string, string> = {}) =>
    post(query).set('content-type', 'text/csv').send(body);
  const runs = async () =>
    Number((await db.ds.query(`SELECT count(*)::int AS n FROM reconciliation_runs`))[0].n);

  it.each([
    ['an empty CSV body', () => csv(''), 422, /^report: is empty/],
    [
      'a header without the required columns',
      () => csv('ref,order\n1,2\n'),
      422,
      /^report: the header lacks/,
    ],
    [
      'an unknown content type',
      () => post().set('content-type', 'text/plain').send('x'),
      415,
      /^content-type:/,
    ],
    ['columns that are not JSON', () => csv(`${HEADER}\n`, { columns: '{oops' }), 422, /^columns:/],
    [
      'a mapping of an unknown field',
      () => csv(`${HEADER}\n`, { columns: '{"amount":"Sum"}' }),
      422,
      /^columns\.amount: unknown field/,
    ],
    [
      'two fields from one column',
      () => csv(`${HEADER}\n`, { columns: '{"order_id":"provider_reference"}' }),
      422,
      /^columns: column "provider_reference" is mapped to two fields/,
    ],
    [
      'from without to',
      () => csv(`${HEADER}\n`, { from: '2026-12-01' }),
      422,
      /^to: is required with from/,
    ],
    [
      'to before from',
      () => csv(`${HEADER}\n`, { from: '2026-12-02', to: '2026-12-01' }),
      422,
      /^to: must be after from/,
    ],
    [
      'a period that is not a date',
      () => csv(`${HEADER}\n`, { from: 'yesterday', to: '2026-12-01' }),
      422,
      /^from: must be an ISO 8601/,
    ],
    [
      'a year and a half',
      () => csv(`${HEADER}\n`, { from: '2025-01-01', to: '2026-07-01' }),
      422,
      /^to: the period must span at most 366 days/,
    ],
    [
      'async that is not a boolean',
      () => csv(`${HEADER}\n`, { async: 'yes' }),
      422,
      /^async: must be true or false/,
    ],
    [
      'a JSON object without rows',
      () => post().send({ lines: [] }),
      422,
      /^rows: must be an array/,
    ],
    ['an empty JSON array', () => post().send([]), 422, /^rows: the report is empty/],
    [
      'an unknown JSON field',
      () => post().send({ rows: [{}], period: 'x' }),
      422,
      /^period: unknown field/,
    ],
    [
      'a multipart body without the file',
      () => post().field('from', '2026-12-01'),
      422,
      /^report: a file field is required/,
    ],
    [
      'a multipart file under another name',
      () => post().attach('file', Buffer.from(`${HEADER}\n`), 'r.csv'),
      422,
      /^file: the only file field is report/,
    ],
  ])('%s', async (_what, send, status, message) => {
    const before = await runs();
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status, requestId: expect.any(String) });
    expect(String(res.body.message)).toMatch(message);
    expect(await runs()).toBe(before);
  });

  it('a header-only report is a completed run with nothing in it', async () => {
    const res = await csv(`${HEADER}\n`);
    expect(res.status).toBe(201);
    expect(res.body.summary).toMatchObject({ rows: 0, matched: 0, exceptions: 0 });
  });

  it('rows that cannot be read are malformed_row exceptions, the run completes', async () => {
    const res = await csv(
      `${HEADER}\nref-1,o-1,12x,AMD,paid,,\nref-2,o-2,100,AMD,paid,not-a-date,\n"ref-3,o-3\n`,
    );
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('completed');
    const lines = (res.body.exceptions.items as Array<{ type: string; line: number }>)
      .filter((e) => e.type === 'malformed_row')
      .map((e) => e.line)
      .sort();
    expect(lines).toEqual([2, 3, 4]);
  });

  it('reading runs: unknown, not a UUID, bad paging, bad type, no token', async () => {
    const unknown = await request(hub.url)
      .get('/api/reconciliation/runs/7b0f0c5e-2f55-4a39-9d1c-4a8a5b0e8e11')
      .set(adminHeaders);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/^id: no reconciliation run/);
    const notUuid = await request(hub.url).get('/api/reconciliation/runs/abc').set(adminHeaders);
    expect(notUuid.status).toBe(422);
    const run = await csv(`${HEADER}\n`);
    const paging = await request(hub.url)
      .get(`/api/reconciliation/runs/${run.body.id}`)
      .query({ pageSize: 0 })
      .set(adminHeaders);
    expect(paging.status).toBe(422);
    expect(String(paging.body.message)).toMatch(/pageSize must be at least 1/);
    const type = await request(hub.url)
      .get(`/api/reconciliation/runs/${run.body.id}`)
      .query({ type: 'bogus' })
      .set(adminHeaders);
    expect(type.status).toBe(422);
    expect(String(type.body.message)).toMatch(/^type must be one of/);
    const anonymous = await request(hub.url).get(`/api/reconciliation/runs/${run.body.id}`);
    expect(anonymous.status).toBe(401);
    const repair = await request(hub.url)
      .post(`/api/reconciliation/runs/${run.body.id}/repair`)
      .set(adminHeaders)
      .send({ action: 'fix' });
    expect(repair.status).toBe(422);
    expect(String(repair.body.message)).toMatch(/^action must be one of/);
  });
});
