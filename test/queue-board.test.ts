import request from 'supertest';
import { QUEUES } from '../src/queue/queues';
import { asOperator, OperatorSession, operatorSession } from './support/operator-session';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TestDatabase,
  TestHub,
} from './support/test-hub';

describe('queue dashboard (Bull Board) at /admin/queues', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let operator: OperatorSession;

  beforeAll(async () => {
    db = await createTestDatabase();
    hub = await startTestHub(db, { APP_ROLE: 'api' });
    operator = await operatorSession(hub, 'Queue Watcher');
  });
  afterAll(async () => {
    await hub?.close();
    await db?.drop();
  });

  it('without the admin token: 401 in the JSON error shape, never the dashboard', async () => {
    for (const path of [
      '/admin/queues',
      '/admin/queues/',
      '/admin/queues/api/queues',
      `/admin/queues/queue/${QUEUES.deliveries}`,
      '/admin/queues/static/js/main.js',
    ]) {
      for (const headers of [{}, { authorization: 'Bearer wrong-token' }]) {
        const res = await request(hub.url).get(path).set(headers);
        expect([path, res.status]).toEqual([path, 401]);
        expect(res.headers['content-type']).toContain('application/json');
        expect(res.body).toMatchObject({
          statusCode: 401,
          error: 'Unauthorized',
          message: expect.stringContaining('authorization'),
        });
        expect(res.text).not.toContain('<html');
      }
    }
    const put = await request(hub.url).put(`/admin/queues/api/queues/${QUEUES.deliveries}/pause`);
    expect(put.status).toBe(401);
  });

  it('other spellings of the path do not reach the dashboard either', async () => {
    for (const path of ['/ADMIN/queues', '/Admin/Queues', '/admin/QUEUES']) {
      const res = await request(hub.url).get(path).set(adminHeaders);
      expect([path, res.status]).toEqual([path, 404]);
    }
  });

  it('with the admin token: the page, and every queue of the hub in its API', async () => {
    const page = await request(hub.url).get('/admin/queues').set(adminHeaders);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('/admin/queues');

    const api = await request(hub.url).get('/admin/queues/api/queues').set(adminHeaders);
    expect(api.status).toBe(200);
    const names = (api.body as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names.sort()).toEqual(Object.values(QUEUES).sort());
  });

  it("behind the console's sign-in: a session reads, a change needs its CSRF token", async () => {
    const page = await request(hub.url).get('/admin/queues').set(asOperator(operator, false));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    // Not the console's CSP: the board sets <base> and styles inline.
    expect(page.headers['content-security-policy']).toContain("base-uri 'self'");
    const api = await request(hub.url)
      .get('/admin/queues/api/queues')
      .set(asOperator(operator, false));
    expect(api.status).toBe(200);

    const pause = `/admin/queues/api/queues/${QUEUES.deliveries}/pause`;
    const resume = `/admin/queues/api/queues/${QUEUES.deliveries}/resume`;
    for (const headers of [
      asOperator(operator, false),
      { ...asOperator(operator, false), 'x-csrf-token': `${operator.csrf}x` },
    ]) {
      const refused = await request(hub.url).put(pause).set(headers);
      expect(refused.status).toBe(403);
      expect(refused.body.message).toContain('x-csrf-token');
    }
    const forged = await request(hub.url)
      .get('/admin/queues/api/queues')
      .set({ cookie: 'vposhub_session=forged' });
    expect(forged.status).toBe(401);
    const paused = async () => {
      const res = await request(hub.url).get('/admin/queues/api/queues').set(adminHeaders);
      const queues = (res.body as { queues: Array<{ name: string; isPaused: boolean }> }).queues;
      return queues.find((q) => q.name === QUEUES.deliveries)!.isPaused;
    };
    expect(await paused()).toBe(false);

    const allowed = await request(hub.url).put(pause).set(asOperator(operator));
    expect(allowed.status).toBe(200);
    expect(await paused()).toBe(true);
    expect((await request(hub.url).put(resume).set(asOperator(operator))).status).toBe(200);
    expect(await paused()).toBe(false);
  });
});
