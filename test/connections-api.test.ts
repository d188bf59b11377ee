import request from 'supertest';
import { RECEIVER_SECRET } from './support/delivery-fixtures';
import { startStack, Stack } from './support/stack';
import { adminHeaders, waitFor } from './support/test-hub';

describe('connections API (non-OAuth modes)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  const api = () => request(stack.hub.url);
  const body = (over: Record<string, unknown> = {}) => ({
    type: 'webhook',
    displayName: 'Shop backend',
    settings: { url: stack.receiver.url, batchSize: 10 },
    credentials: { secret: RECEIVER_SECRET },
    ...over,
  });

  it('adds a webhook destination after a signed ping, never returns its credentials', async () => {
    const before = stack.receiver.stats.requests;
    const res = await api()
      .post('/api/connections')
      .set(adminHeaders)
      .set('x-actor', 'Anna')
      .send(body());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: 'webhook', status: 'active', hasCredentials: true });
    expect(JSON.stringify(res.body)).not.toContain(RECEIVER_SECRET);
    expect(stack.receiver.stats.requests).toBe(before + 1);
    const list = await api().get('/api/connections').set(adminHeaders);
    expect(list.body.map((c: { id: string }) => c.id)).toContain(res.body.id);
    expect(JSON.stringify(list.body)).not.toContain(RECEIVER_SECRET);

    // The row itself holds no readable secret.
    const [row] = await stack.db.ds.query<{ credentials: Buffer }[]>(
      `SELECT credentials FROM connections WHERE id = $1`,
      [res.body.id],
    );
    expect(row.credentials.toString('latin1')).not.toContain(RECEIVER_SECRET.slice(6, 30));

    // It receives events at once.
    const session = stack.vpos.createSession({
      merchantOrderId: `C-${Date.now()}`,
      amountMinor: 5000,
      currency: 'AMD',
    });
    stack.vpos.setStatus(session.id, 'paid');
    await waitFor(() =>
      Promise.resolve(stack.receiver.eventsFor(session.merchantOrderId).length === 1),
    );
  });

  it('refuses what the destination refuses, with its reason, and bad input naming the field', async () => {
    stack.receiver.failNext(1, { status: 404 });
    const refused = await api().post('/api/connections').set(adminHeaders).send(body());
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(
      /^settings\.url: the endpoint refused a signed ping \(.*404/,
    );

    const http = await api()
      .post('/api/connections')
      .set(adminHeaders)
      .send(body({ settings: { url: 'http://example.com:8080/hook' } }));
    expect(http.status).toBe(422);
    expect(http.body.message).toContain('settings.url must be https');

    const unknown = await api()
      .post('/api/connections')
      .set(adminHeaders)
      .send(body({ type: 'fax' }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.message).toMatch(/^type: unknown destination/);

    const noName = await api()
      .post('/api/connections')
      .set(adminHeaders)
      .send(body({ displayName: '' }));
    expect(noName.status).toBe(422);
    expect(noName.body.message).toContain('displayName');

    const badBatch = await api()
      .post('/api/connections')
      .set(adminHeaders)
      .send(body({ settings: { url: stack.receiver.url, batchSize: 500 } }));
    expect(badBatch.status).toBe(422);
    expect(badBatch.body.message).toContain('settings.batchSize');
  });

  it('updates, disables and removes', async () => {
    const created = (await api().post('/api/connections').set(adminHeaders).send(body())).body;
    const renamed = await api()
      .patch(`/api/connections/${created.id}`)
      .set(adminHeaders)
      .send({ displayName: 'Renamed', settings: { url: stack.receiver.url, batchSize: 5 } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ displayName: 'Renamed', settings: { batchSize: 5 } });
    const disabled = await api()
      .patch(`/api/connections/${created.id}`)
      .set(adminHeaders)
      .send({ status: 'disabled' });
    expect(disabled.body.status).toBe('disabled');
    const badStatus = await api()
      .patch(`/api/connections/${created.id}`)
      .set(adminHeaders)
      .send({ status: 'on' });
    expect(badStatus.status).toBe(422);
    const removed = await api().delete(`/api/connections/${created.id}`).set(adminHeaders);
    expect(removed.status).toBe(204);
    const again = await api().delete(`/api/connections/${created.id}`).set(adminHeaders);
    expect(again.status).toBe(404);
  });
});
