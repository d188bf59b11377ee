import request from 'supertest';
import { ConnectionsService } from '../src/connections/connections.service';
import { TokenService } from '../src/credentials/token.service';
import { GoogleEmulator, startGoogleEmulator } from '../sandbox/google/google-emulator';
import { consent, credentialsOf, useOAuthHub } from './support/oauth-flow';
import { adminHeaders, TestDatabase, TestHub } from './support/test-hub';

const CLIENT_ID = 'hub-client.apps.googleusercontent.com';
const CLIENT_SECRET = 'google-client-secret-for-tests';

describe('OAuth: Google (offline access, Sheets scope)', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let g: GoogleEmulator;

  const t = useOAuthHub(
    (hubUrl) =>
      startGoogleEmulator({
        client: {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          redirectUris: [`${hubUrl}/oauth/google/callback`],
        },
        userEmail: 'shop.owner@example.am',
        autoApprove: true,
      }),
    (g) => ({
      GOOGLE_CLIENT_ID: CLIENT_ID,
      GOOGLE_CLIENT_SECRET: CLIENT_SECRET,
      GOOGLE_AUTHORIZE_URL: g.endpoints.authorize,
      GOOGLE_TOKEN_URL: g.endpoints.token,
      GOOGLE_SHEETS_API_URL: g.endpoints.sheetsRootUrl,
      CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${g.port}`,
    }),
  );
  beforeAll(() => {
    ({ db, hub, emulator: g } = t);
  });

  it('connects with offline access, refreshes ahead of expiry, parks on a revoked token', async () => {
    const { start, cookie, callback } = await consent(
      hub,
      '/api/connections/oauth/google/start?spreadsheetId=1AbCdEfGhIjKlMnOp_q',
    );
    const consentUrl = new URL(start.headers.location);
    expect(consentUrl.searchParams.get('access_type')).toBe('offline');
    expect(consentUrl.searchParams.get('prompt')).toBe('consent');
    expect(consentUrl.searchParams.get('scope')).toContain(
      'https://www.googleapis.com/auth/spreadsheets',
    );
    const done = await request(hub.url)
      .get(`/oauth/google/callback${callback.search}`)
      .set('cookie', cookie);
    expect([done.status, done.text]).toEqual([200, expect.stringContaining('is connected')]);

    const conn = (await request(hub.url).get('/api/connections').set(adminHeaders)).body.find(
      (c: { type: string }) => c.type === 'google-sheets',
    );
    expect(conn).toMatchObject({
      mode: 'oauth',
      account: { email: 'shop.owner@example.am', spreadsheetId: '1AbCdEfGhIjKlMnOp_q' },
    });

    // About to expire: refreshed ahead, the refresh token kept (Google does not rotate it).
    const store = credentialsOf(hub, db);
    const read = () => store.read(conn.id);
    const creds = await read();
    await store.write(conn.id, { ...creds, expiresAt: Date.now() + 60_000 });
    const grants = g.counters().refreshTokenGrants;
    const token = await hub.app.get(TokenService).accessToken(conn.id);
    expect(token).not.toBe(creds.accessToken);
    expect(g.counters().refreshTokenGrants).toBe(grants + 1);
    expect((await read()).refreshToken).toBe(creds.refreshToken);

    g.revokeRefreshToken(creds.refreshToken);
    const stale = await read();
    await store.write(conn.id, { ...stale, expiresAt: Date.now() - 1 });
    await expect(hub.app.get(TokenService).accessToken(conn.id)).rejects.toMatchObject({
      kind: 'auth',
    });
    expect((await hub.app.get(ConnectionsService).get(conn.id)).status).toBe('needs_reconnect');
  });

  it('an unconfigured provider says so', async () => {
    const res = await request(hub.url)
      .get('/api/connections/oauth/facebook/start')
      .set(adminHeaders);
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/^provider: unknown OAuth provider/);
    const b24 = await request(hub.url)
      .get('/api/connections/oauth/bitrix24/start?portal=x.bitrix24.am')
      .set(adminHeaders);
    expect(b24.status).toBe(422);
    expect(b24.body.message).toMatch(/^provider: bitrix24 OAuth is not configured/);
  });
});
