import request from 'supertest';
import { TokenService } from '../src/credentials/token.service';
import { AmocrmEmulator, startAmocrmEmulator } from '../sandbox/amocrm/amocrm-emulator';
import { consent, credentialsOf, useOAuthHub } from './support/oauth-flow';
import { adminHeaders, TestDatabase, TestHub } from './support/test-hub';

const CLIENT_ID = 'amo-integration-for-tests';
const CLIENT_SECRET = 'amo-integration-secret-for-tests';

describe('OAuth: amoCRM, rotating single-use refresh tokens', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let amo: AmocrmEmulator;

  const t = useOAuthHub(
    (hubUrl) =>
      startAmocrmEmulator({
        integration: {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          redirectUri: `${hubUrl}/oauth/amocrm/callback`,
        },
        autoApprove: true,
      }),
    (amo) => ({
      AMOCRM_CLIENT_ID: CLIENT_ID,
      AMOCRM_CLIENT_SECRET: CLIENT_SECRET,
      AMOCRM_AUTHORIZE_URL: `${amo.url}/oauth`,
      CONNECTOR_INSECURE_HOSTS: amo.host,
    }),
  );
  beforeAll(() => {
    ({ db, hub, emulator: amo } = t);
  });

  const connect = () => consent(hub, '/api/connections/oauth/amocrm/start');

  it('connects the account named by referer and refreshes once for 20 concurrent users', async () => {
    const { cookie, callback } = await connect();
    expect(callback.searchParams.get('referer')).toBe(amo.host);
    const done = await request(hub.url)
      .get(`/oauth/amocrm/callback${callback.search}`)
      .set('cookie', cookie);
    expect(done.status).toBe(200);
    const conn = (await request(hub.url).get('/api/connections').set(adminHeaders)).body.find(
      (c: { type: string }) => c.type === 'amocrm',
    );
    expect(conn).toMatchObject({ mode: 'oauth', status: 'active', account: { host: amo.host } });

    // The access token has just expired (as far as the hub knows): 20 deliveries want one.
    const store = credentialsOf(hub, db);
    const creds = await store.read(conn.id);
    await store.write(conn.id, { ...creds, expiresAt: Date.now() - 1000 });
    const before = amo.counters();
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => hub.app.get(TokenService).accessToken(conn.id)),
    );
    const after = amo.counters();
    expect(after.refreshTokenGrants - before.refreshTokenGrants).toBe(1);
    expect(after.tokenErrors - before.tokenErrors).toBe(0);
    expect(new Set(tokens).size).toBe(1);
    // The stored pair is the new one: the next refresh works (no "Token has been revoked").
    const stored = await store.read(conn.id);
    expect(stored.accessToken).toBe(tokens[0]);
    expect(stored.refreshToken).not.toBe(creds.refreshToken);
  });

  it('more concurrent callers than the database pool still get one refresh (no pool deadlock)', async () => {
    const conn = (await request(hub.url).get('/api/connections').set(adminHeaders)).body.find(
      (c: { type: string }) => c.type === 'amocrm',
    );
    const store = credentialsOf(hub, db);
    const creds = await store.read(conn.id);
    await store.write(conn.id, { ...creds, expiresAt: Date.now() - 1000 });
    const before = amo.counters();
    // The pool has 20 connections: 40 waiters for the refresh lock used to starve its holder.
    const tokens = await Promise.all(
      Array.from({ length: 40 }, () => hub.app.get(TokenService).accessToken(conn.id)),
    );
    expect(amo.counters().refreshTokenGrants - before.refreshTokenGrants).toBe(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('refuses a referer that is not an amoCRM account host, before any exchange', async () => {
    const { cookie, callback } = await connect();
    callback.searchParams.set('referer', 'attacker.example.com');
    const grants = amo.counters().authorizationCodeGrants;
    const res = await request(hub.url)
      .get(`/oauth/amocrm/callback${callback.search}`)
      .set('cookie', cookie);
    expect(res.status).toBe(422);
    expect(res.text).toContain('referer: ');
    expect(amo.counters().authorizationCodeGrants).toBe(grants);
  });
});
