import request from 'supertest';
import { Bitrix24Emulator, startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { consent, useOAuthHub } from './support/oauth-flow';
import { adminHeaders, TestHub } from './support/test-hub';

const CLIENT_ID = 'local.hub.000002';
const CLIENT_SECRET = 'bitrix24-app-secret-for-edge-tests';

describe('OAuth edges: provider names, repeated parameters, cookies, state binding, portals', () => {
  let hub: TestHub;
  let b24: Bitrix24Emulator;

  const t = useOAuthHub(
    (hubUrl) =>
      startBitrix24Emulator({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUri: `${hubUrl}/oauth/bitrix24/callback`,
        autoApprove: true,
        portals: [{ name: 'main' }],
      }),
    (b24) => ({
      BITRIX24_CLIENT_ID: CLIENT_ID,
      BITRIX24_CLIENT_SECRET: CLIENT_SECRET,
      BITRIX24_OAUTH_SERVER: b24.oauthServerUrl,
      CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port}`,
    }),
  );
  beforeAll(() => {
    ({ hub, emulator: b24 } = t);
  });

  const connect = () =>
    consent(
      hub,
      `/api/connections/oauth/bitrix24/start?portal=${encodeURIComponent(b24.portal('main').domain)}`,
    );
  const finish = (search: string, cookie?: string) => {
    const req = request(hub.url).get(`/oauth/bitrix24/callback${search}`);
    return cookie ? req.set('cookie', cookie) : req;
  };

  it('a provider name from the object prototype is an unknown provider (404)', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const start = await request(hub.url)
        .get(`/api/connections/oauth/${name}/start`)
        .set(adminHeaders);
      expect([name, start.status]).toEqual([name, 404]);
      expect(start.body.message).toBe(
        `provider: unknown OAuth provider "${name}"; available: bitrix24, amocrm, google`,
      );
      const callback = await request(hub.url).get(`/oauth/${name}/callback?state=x&code=y`);
      expect([name, callback.status]).toEqual([name, 404]);
      expect(callback.text).toContain('provider: unknown OAuth provider');
    }
  });

  it('a parameter given twice is a 400 naming it, at start and at the callback', async () => {
    const start = await request(hub.url)
      .get('/api/connections/oauth/bitrix24/start?portal=a.bitrix24.com&portal=b.bitrix24.com')
      .set(adminHeaders);
    expect(start.status).toBe(400);
    expect(start.body.message).toBe('portal: must be given once, as plain text');

    const { cookie, callback } = await connect();
    const twice = await finish(`${callback.search}&state=other`, cookie);
    expect(twice.status).toBe(400);
    expect(twice.text).toContain('state: must be given once');
    const code = await finish(`${callback.search}&code=other`, cookie);
    expect(code.status).toBe(400);
    expect(code.text).toContain('code: must be given once');
    // Neither burnt the state: the real callback still connects.
    const done = await finish(callback.search, cookie);
    expect(done.status).toBe(200);
  });

  it('a malformed cookie is a 400 naming it, and does not burn the state', async () => {
    const { cookie, callback } = await connect();
    const bad = await finish(callback.search, 'vposhub_oauth=%E0%A4%A');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('cookie: vposhub_oauth is not valid percent-encoding');
    expect((await finish(callback.search, cookie)).status).toBe(200);
  });

  it('a callback without or with the wrong cookie does not lock the real browser out', async () => {
    const { cookie, callback } = await connect();
    const other = await connect();
    const none = await finish(callback.search);
    expect(none.status).toBe(400);
    expect(none.text).toContain('not bound to this browser session');
    const foreign = await finish(callback.search, other.cookie);
    expect(foreign.status).toBe(400);
    expect(foreign.text).toContain('not bound to this browser session');

    const done = await finish(callback.search, cookie);
    expect(done.status).toBe(200);
    expect(done.text).toContain('is connected');
    const again = await finish(callback.search, cookie);
    expect(again.status).toBe(400);
    expect(again.text).toContain('state: already used');
  });

  it('concurrent callbacks with the right cookie consume the state once', async () => {
    const { cookie, callback } = await connect();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => finish(callback.search, cookie)),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 400, 400, 400, 400]);
  });

  it('only real Bitrix24 cloud zones (or configured hosts) are consent targets', async () => {
    for (const portal of ['evil.bitrix24.xyz', 'evil.bitrix24.am', 'x.bitrix24.ru.evil.com']) {
      const res = await request(hub.url)
        .get(`/api/connections/oauth/bitrix24/start?portal=${portal}`)
        .set(adminHeaders);
      expect([portal, res.status]).toEqual([portal, 422]);
      expect(res.body.message).toMatch(/^portal: ".*" is not a Bitrix24 cloud portal/);
    }
    const real = await request(hub.url)
      .get('/api/connections/oauth/bitrix24/start?portal=shop.bitrix24.de')
      .set(adminHeaders);
    expect(real.status).toBe(302);
    expect(new URL(real.headers.location).host).toBe('shop.bitrix24.de');
  });
});
