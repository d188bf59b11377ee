import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { seedJournal } from './factories/reconciliation-report';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TestDatabase,
  TestHub,
} from './support/test-hub';

const OPERATOR = {
  email: 'rs@example.am',
  name: 'Recon Session',
  password: 'correct horse battery',
};
const CSV = [
  'provider_reference,order_id,amount_minor,currency,status,paid_at,refund_amount_minor',
  'ref-rs-1,rs-1,1000,AMD,paid,,',
  'ref-rs-2,rs-2,2000,AMD,paid,,',
].join('\n');

describe("reconciliation from the console: the operator's session and CSRF", () => {
  let db: TestDatabase;
  let hub: TestHub;
  let cookie: string;
  let csrf: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    hub = await startTestHub(db, { RECONCILIATION_SCHEDULE: 'off' });
    await seedJournal(
      db.ds,
      [
        { order: 'rs-1', ref: 'ref-rs-1', status: 'paid', amount: 1000, currency: 'AMD' },
        { order: 'rs-2', ref: 'ref-rs-2', status: 'paid', amount: 2500, currency: 'AMD' },
      ],
      new Date(),
    );
    expect(
      (await request(hub.url).post('/api/operators').set(adminHeaders).send(OPERATOR)).status,
    ).toBe(201);
    const session = await request(hub.url)
      .post('/api/session')
      .set('x-forwarded-for', randomUUID())
      .send({ email: OPERATOR.email, password: OPERATOR.password });
    expect(session.status).toBe(200);
    cookie = String(session.headers['set-cookie'][0]).split(';')[0];
    csrf = String(session.body.csrfToken);
  });
  afterAll(async () => {
    await hub?.close();
    await db?.drop();
  });

  const runs = async () =>
    (
      await db.ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM reconciliation_runs`)
    )[0].n;
  const upload = (headers: Record<string, string>) =>
    request(hub.url)
      .post('/api/reconciliation/runs')
      .set(headers)
      .set('content-type', 'text/csv')
      .send(CSV);

  it('an upload needs a session (401) and its CSRF token (403); no run is kept', async () => {
    const anonymous = await upload({});
    expect(anonymous.status).toBe(401);
    const forged = await upload({ cookie: 'vposhub_session=forged', 'x-csrf-token': csrf });
    expect(forged.status).toBe(401);
    const noCsrf = await upload({ cookie });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.message).toMatch(/^x-csrf-token:/);
    const wrongCsrf = await upload({ cookie, 'x-csrf-token': `${csrf}x` });
    expect(wrongCsrf.status).toBe(403);
    expect(await runs()).toBe(0);
  });

  it("with both, the run is the operator's, listed newest first with its counts", async () => {
    const first = await upload({ cookie, 'x-csrf-token': csrf });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ actor: OPERATOR.name, summary: { rows: 2, matched: 1 } });
    const second = await upload({ cookie, 'x-csrf-token': csrf });
    const list = await request(hub.url).get('/api/reconciliation/runs').set('cookie', cookie);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ page: 1, pageSize: 20, total: 2 });
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([
      second.body.id,
      first.body.id,
    ]);
    expect(list.body.items[0]).toMatchObject({
      status: 'completed',
      source: 'upload',
      actor: OPERATOR.name,
      rows: 2,
      matched: 1,
      exceptions: 1,
      open: 1,
    });
    const paged = await request(hub.url)
      .get('/api/reconciliation/runs')
      .query({ page: 2, pageSize: 1 })
      .set(adminHeaders);
    expect(paged.body.items.map((r: { id: string }) => r.id)).toEqual([first.body.id]);
    expect((await request(hub.url).get('/api/reconciliation/runs')).status).toBe(401);
    const csv = await request(hub.url)
      .get(`/api/reconciliation/runs/${first.body.id}/exceptions.csv`)
      .set('cookie', cookie);
    expect(csv.status).toBe(200);
    expect(csv.text).toMatch(/^id,type,line,order_id/);
    expect(csv.text).toContain('amount_mismatch');
  });

  it.each([
    [{ pageSize: '0' }, /^pageSize must be at least 1/],
    [{ pageSize: '101' }, /^pageSize must be at most 100/],
    [{ page: 'abc' }, /^page must be an integer/],
    [{ page: '0' }, /^page must be at least 1/],
  ])('listing with %j is a 422 naming the field', async (query, message) => {
    const res = await request(hub.url)
      .get('/api/reconciliation/runs')
      .query(query)
      .set(adminHeaders);
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(message);
  });

  it('a repair from the console needs the CSRF token; with it the actor is the operator', async () => {
    const list = await request(hub.url).get('/api/reconciliation/runs').set(adminHeaders);
    const runId = list.body.items[0].id as string;
    const run = await request(hub.url)
      .get(`/api/reconciliation/runs/${runId}`)
      .set('cookie', cookie);
    const [target] = run.body.exceptions.items as Array<{ id: string; type: string }>;
    expect(target.type).toBe('amount_mismatch');
    const repair = (headers: Record<string, string>, body: Record<string, string>) =>
      request(hub.url)
        .post(`/api/reconciliation/exceptions/${target.id}/repair`)
        .set(headers)
        .send(body);
    const resolve = { action: 'resolve', comment: 'fee' };
    expect((await repair({}, resolve)).status).toBe(401);
    expect((await repair({ cookie }, resolve)).status).toBe(403);
    const bulkNoCsrf = await request(hub.url)
      .post(`/api/reconciliation/runs/${runId}/repair`)
      .set('cookie', cookie)
      .send(resolve);
    expect(bulkNoCsrf.status).toBe(403);
    const bad = await repair({ cookie, 'x-csrf-token': csrf }, { action: 'undo' });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/^action must be one of lookup, redeliver, resolve/);
    const done = await repair({ cookie, 'x-csrf-token': csrf }, resolve);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'resolved', resolvedBy: OPERATOR.name });
    const after = await request(hub.url).get('/api/reconciliation/runs').set(adminHeaders);
    expect(after.body.items[0].open).toBe(0);
  });
});
