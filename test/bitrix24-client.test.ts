import { Bitrix24Client } from '../src/connectors/bitrix24/bitrix24.client';
import { randomUUID } from 'node:crypto';
import { CredentialVault } from '../src/credentials/credential-vault';
import { TokenService } from '../src/credentials/token.service';
import { Bitrix24Emulator, startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { createTestDatabase, startTestHub, TestDatabase, TestHub } from './support/test-hub';

describe('Bitrix24 REST client against the emulator', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let b24: Bitrix24Emulator;

  beforeAll(async () => {
    db = await createTestDatabase();
    b24 = await startBitrix24Emulator({
      clientId: 'local.app.1',
      clientSecret: 'app-secret-1',
      portals: [{ name: 'main' }],
      bucketCapacity: 3,
      bucketDrainPerSecond: 1,
    });
    hub = await startTestHub(db, {
      BITRIX24_CLIENT_ID: 'local.app.1',
      BITRIX24_CLIENT_SECRET: 'app-secret-1',
      BITRIX24_OAUTH_SERVER: b24.oauthServerUrl,
      CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port}`,
    });
  });
  afterAll(async () => {
    await hub?.close();
    await b24?.close();
    await db?.drop();
  });

  it('over an incoming webhook: calls, batch with per-command errors, the portal bucket', async () => {
    const hook = b24.createWebhook();
    const client = new Bitrix24Client({ mode: 'webhook', webhookUrl: hook.url });
    const id = await client.call<number>('crm.deal.add', {
      fields: { TITLE: 'Order A-1', OPPORTUNITY: 12500, CURRENCY_ID: 'AMD' },
    });
    expect(Number(id)).toBeGreaterThan(0);
    const deal = await client.call<{ TITLE: string; OPPORTUNITY: string }>('crm.deal.get', { id });
    expect(deal).toMatchObject({ TITLE: 'Order A-1', OPPORTUNITY: '12500.00' });

    const batch = await client.batch({
      ok: { method: 'crm.deal.get', params: { id } },
      bad: { method: 'crm.deal.update', params: { id, fields: { CURRENCY_ID: 'XXX' } } },
    });
    expect(batch.result.ok).toMatchObject({ TITLE: 'Order A-1' });
    expect(batch.errors.bad).toMatchObject({ kind: 'permanent' });

    // The bucket (capacity 3 here) refuses the next calls: retryable, with the portal's code.
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => client.call('profile')),
    );
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].reason).toMatchObject({ kind: 'retryable', code: 'QUERY_LIMIT_EXCEEDED' });

    const wrong = new Bitrix24Client({
      mode: 'webhook',
      webhookUrl: hook.url.replace(hook.code, 'nope123'),
    });
    await new Promise((r) => setTimeout(r, 3000));
    await expect(wrong.call('profile')).rejects.toMatchObject({
      kind: 'auth',
      code: 'NO_AUTH_FOUND',
    });
  });

  it('over OAuth: an expired token is refreshed once and the call repeated', async () => {
    const tokens = b24.issueTokens();
    // A Bitrix24 OAuth connection as the callback stores it.
    const id = randomUUID();
    const sealed = hub.app.get(CredentialVault).seal(id, {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt: Date.now() + 3600_000,
    });
    await db.ds.query(
      `INSERT INTO connections (id, type, display_name, mode, account, credentials)
       VALUES ($1, 'bitrix24', 'main', 'oauth', $2::jsonb, $3)`,
      [id, JSON.stringify({ clientEndpoint: tokens.client_endpoint }), sealed],
    );
    const conn = { id };
    await new Promise((r) => setTimeout(r, 3000));
    b24.expireAccessToken(tokens.access_token);
    const client = new Bitrix24Client(
      { mode: 'oauth', connectionId: conn.id, clientEndpoint: tokens.client_endpoint },
      { tokens: hub.app.get(TokenService) },
    );
    const before = b24.counters().oauth.refreshes;
    const profile = await client.call<{ ID: string }>('profile');
    expect(profile.ID).toBeDefined();
    expect(b24.counters().oauth.refreshes).toBe(before + 1);
  });
});
