import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { ConnectionsService } from '../src/connections/connections.service';
import { TokenService } from '../src/credentials/token.service';
import { Bitrix24Emulator, startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { consent, credentialsOf, useOAuthHub } from './support/oauth-flow';
import { adminHeaders, TestDatabase, TestHub } from './support/test-hub';

const CLIENT_ID = 'local.hub.000001';
const CLIENT_SECRET = 'bitrix24-app-secret-for-tests';

describe('OAuth: Bitrix24 app connection, state, refresh without races', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let b24: Bitrix24Emulator;

  const t = useOAuthHub(
    (hubUrl) =>
      startBitrix24Emulator({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        // The app's redirect URI, as registered with Bitrix24.
        redirectUri: `${hubUrl}/oauth/bitrix24/callback`,
        autoApprove: true,
        portals: [{ name: 'main' }, { name: 'shop' }],
      }),
    (b24) => ({
      BITRIX24_CLIENT_ID: CLIENT_ID,
      BITRIX24_CLIENT_SECRET: CLIENT_SECRET,
      BITRIX24_OAUTH_SERVER: b24.oauthServerUrl,
      CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port}`,
    }),
  );
  beforeAll(() => {
    ({ db, hub, emulator: b24 } = t);
  });

  /** Start → provider consent → callback, following real redirects with the browser's cookie. */
  const connect = (portal: string) =>
    consent(hub, `/api/connections/oauth/bitrix24/start?portal=${encodeURIComponent(portal)}`);
  const finish = (callback: URL, cookie?: string) => {
    const req = request(hub.url).get(`/oauth/bitrix24/callback${callback.search}`);
    return cookie ? req.set('cookie', cookie) : req;
  };

  it('connects a portal end to end and stores the tokens encrypted', async () => {
    const portal = b24.portal('shop');
    const { start, cookie, callback } = await connect(portal.domain);
    expect(start.headers.location).toContain(`/oauth/authorize/?client_id=${CLIENT_ID}&state=`);
    expect(callback.pathname).toBe('/oauth/bitrix24/callback');
    const done = await finish(callback, cookie);
    expect(done.status).toBe(200);
    expect(done.text).toContain('is connected');

    const list = await request(hub.url).get('/api/connections').set(adminHeaders);
    const conn = list.body.find((c: { type: string }) => c.type === 'bitrix24');
    expect(conn).toMatchObject({
      mode: 'oauth',
      status: 'active',
      hasCredentials: true,
      account: { domain: portal.domain, clientEndpoint: `${b24.url}/p/shop/rest/` },
    });
    expect(b24.counters().oauth.codeExchanges).toBe(1);

    // A database dump shows no token.
    const creds = await credentialsOf(hub, db).read(conn.id);
    const dump = execFileSync('pg_dump', ['-h', '127.0.0.1', '-U', 'postgres', db.name], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(dump).toContain('connections');
    expect(dump).not.toContain(creds.accessToken);
    expect(dump).not.toContain(creds.refreshToken);
    expect(dump).not.toContain(CLIENT_SECRET);
  });

  it('refuses a replayed, forged, expired or foreign-session state with a clear page', async () => {
    const { cookie, callback } = await connect(b24.portal('main').domain);
    expect((await finish(callback, cookie)).status).toBe(200);
    const replay = await finish(callback, cookie);
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('state: already used');

    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged-state-value');
    const f = await finish(forged, cookie);
    expect(f.status).toBe(400);
    expect(f.text).toContain('state: unknown');

    const other = await connect(b24.portal('main').domain);
    const noCookie = await finish(other.callback);
    expect(noCookie.status).toBe(400);
    expect(noCookie.text).toContain('not bound to this browser session');

    const late = await connect(b24.portal('main').domain);
    await db.ds.query(
      `UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`,
    );
    const expired = await finish(late.callback, late.cookie);
    expect(expired.status).toBe(400);
    expect(expired.text).toContain('state: expired');
  });

  it('never sends secrets to a host that is not the portal', async () => {
    const exchanges = b24.counters().oauth.codeExchanges;
    const bad = await request(hub.url)
      .get('/api/connections/oauth/bitrix24/start?portal=evil.example.com')
      .set(adminHeaders);
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/^portal: /);

    const { cookie, callback } = await connect(b24.portal('main').domain);
    callback.searchParams.set('domain', 'evil.example.com');
    const swapped = await finish(callback, cookie);
    expect(swapped.status).toBe(422);
    expect(swapped.text).toContain('domain: the callback names portal');
    expect(b24.counters().oauth.codeExchanges).toBe(exchanges);
  });

  it('20 concurrent refreshes after expired_token make one refresh call and share its token', async () => {
    const conn = (await request(hub.url).get('/api/connections').set(adminHeaders)).body.find(
      (c: { type: string; account: { domain: string } }) =>
        c.type === 'bitrix24' && c.account.domain === b24.portal('shop').domain,
    );
    const tokens = hub.app.get(TokenService);
    const stale = await tokens.accessToken(conn.id);
    const before = b24.counters().oauth.refreshes;
    const fresh = await Promise.all(
      Array.from({ length: 20 }, () => tokens.accessToken(conn.id, stale)),
    );
    expect(b24.counters().oauth.refreshes).toBe(before + 1);
    expect(new Set(fresh).size).toBe(1);
    expect(fresh[0]).not.toBe(stale);
  });

  it('a revoked refresh token → needs_reconnect, an audit entry and a metric; nothing lost', async () => {
    const conn = (await request(hub.url).get('/api/connections').set(adminHeaders)).body.find(
      (c: { type: string; account: { domain: string } }) =>
        c.type === 'bitrix24' && c.account.domain === b24.portal('main').domain,
    );
    const creds = await credentialsOf(hub, db).read(conn.id);
    b24.revokeRefreshToken(creds.refreshToken);
    await expect(
      hub.app.get(TokenService).accessToken(conn.id, creds.accessToken),
    ).rejects.toMatchObject({
      kind: 'auth',
    });
    const after = await hub.app.get(ConnectionsService).get(conn.id);
    expect(after.status).toBe('needs_reconnect');
    const audit = await db.ds.query<{ data: { connectionId: string } }[]>(
      `SELECT data FROM audit_log WHERE kind = 'connection.needs_reconnect'`,
    );
    expect(audit.map((a) => a.data.connectionId)).toContain(conn.id);
    const metrics = await request(hub.url).get('/metrics');
    expect(metrics.text).toMatch(
      /vposhub_token_refreshes_total\{provider="bitrix24",outcome="auth"\} 1/,
    );

    // Connecting the same portal again reactivates the same connection.
    const { cookie, callback } = await connect(b24.portal('main').domain);
    expect((await finish(callback, cookie)).status).toBe(200);
    expect((await hub.app.get(ConnectionsService).get(conn.id)).status).toBe('active');
  });
});
