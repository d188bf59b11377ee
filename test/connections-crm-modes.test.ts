import request from 'supertest';
import { AmocrmEmulator, startAmocrmEmulator } from '../sandbox/amocrm/amocrm-emulator';
import { Bitrix24Emulator, startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { GoogleEmulator, startGoogleEmulator } from '../sandbox/google/google-emulator';
import { generateKeyPairSync } from 'node:crypto';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TestDatabase,
  TestHub,
} from './support/test-hub';

describe('connections: non-OAuth CRM modes, checked against the CRM', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let b24: Bitrix24Emulator;
  let amo: AmocrmEmulator;
  let g: GoogleEmulator;

  beforeAll(async () => {
    db = await createTestDatabase();
    b24 = await startBitrix24Emulator({ portals: [{ name: 'main' }, { name: 'shop' }] });
    amo = await startAmocrmEmulator();
    g = await startGoogleEmulator();
    hub = await startTestHub(db, {
      CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port},${amo.host}`,
      GOOGLE_TOKEN_URL: g.endpoints.token,
      GOOGLE_SHEETS_API_URL: g.endpoints.sheetsRootUrl,
    });
  });
  afterAll(async () => {
    await hub?.close();
    await b24?.close();
    await amo?.close();
    await g?.close();
    await db?.drop();
  });

  const add = (body: Record<string, unknown>) =>
    request(hub.url).post('/api/connections').set(adminHeaders).send(body);

  it('a Bitrix24 incoming-webhook URL is checked, stored encrypted and never shown', async () => {
    const hook = b24.createWebhook({ portal: 'shop' });
    const res = await add({
      type: 'bitrix24',
      mode: 'webhook',
      displayName: 'Shop portal',
      credentials: { webhookUrl: hook.url },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: 'bitrix24',
      mode: 'webhook',
      hasCredentials: true,
      account: { domain: b24.portal('shop').domain },
    });
    expect(JSON.stringify(res.body)).not.toContain(hook.code);

    const again = await add({
      type: 'bitrix24',
      mode: 'webhook',
      displayName: 'x',
      credentials: { webhookUrl: hook.url },
    });
    expect(again.status).toBe(409);

    const wrong = await add({
      type: 'bitrix24',
      mode: 'webhook',
      displayName: 'x',
      credentials: { webhookUrl: hook.url.replace(hook.code, 'wrongcode1') },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.message).toMatch(
      /^credentials\.webhookUrl: Bitrix24 refused it \(NO_AUTH_FOUND/,
    );

    const foreign = await add({
      type: 'bitrix24',
      mode: 'webhook',
      displayName: 'x',
      credentials: { webhookUrl: 'https://evil.example.com/rest/1/abc/' },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.message).toContain('is not a Bitrix24 portal');
  });

  it('an amoCRM long-lived token is checked against the account', async () => {
    const token = amo.issueLongLivedToken();
    const ok = await add({
      type: 'amocrm',
      mode: 'token',
      displayName: 'Sales',
      settings: { host: amo.host },
      credentials: { token },
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ type: 'amocrm', account: { host: amo.host } });
    const bad = await add({
      type: 'amocrm',
      mode: 'token',
      displayName: 'x',
      settings: { host: amo.host },
      credentials: { token: 'not-a-token' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/^credentials\.token: amoCRM refused it \(401/);
  });

  it('a Google service account is checked by reading the shared spreadsheet', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const email = 'hub-writer@project.iam.gserviceaccount.com';
    g.registerServiceAccount({
      clientEmail: email,
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const sheet = g.createSpreadsheet({ title: 'Payments', sharedWith: [email] });
    const key = {
      client_email: email,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    const ok = await add({
      type: 'google-sheets',
      mode: 'service_account',
      displayName: 'Payments sheet',
      settings: { spreadsheetId: sheet.spreadsheetId },
      credentials: { serviceAccountKey: key },
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      account: { email, spreadsheetId: sheet.spreadsheetId, title: 'Payments' },
    });
    expect(JSON.stringify(ok.body)).not.toContain('PRIVATE KEY');

    const other = g.createSpreadsheet({ title: 'Private', sharedWith: ['someone@example.am'] });
    const denied = await add({
      type: 'google-sheets',
      mode: 'service_account',
      displayName: 'x',
      settings: { spreadsheetId: other.spreadsheetId },
      credentials: { serviceAccountKey: key },
    });
    expect(denied.status).toBe(422);
    expect(denied.body.message).toMatch(/^settings\.spreadsheetId: Google refused access \(403/);
  });
});
