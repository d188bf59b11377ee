import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { AmocrmEmulator, startAmocrmEmulator } from '../sandbox/amocrm/amocrm-emulator';
import { Bitrix24Emulator, startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { GoogleEmulator, startGoogleEmulator } from '../sandbox/google/google-emulator';
import { asOperator, call, OperatorSession, operatorSession } from './support/operator-session';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TestDatabase,
  TestHub,
} from './support/test-hub';

interface Choices {
  type: string;
  pipelines?: Array<{ id: string; name: string; stages: Array<{ id: string; name: string }> }>;
  fields?: Array<{ id: string; name: string; type?: string }>;
  tabs?: string[];
  sheetName?: string;
  header?: string[];
}

describe('console API: live mapping choices and operators', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let b24: Bitrix24Emulator;
  let amo: AmocrmEmulator;
  let g: GoogleEmulator;
  let anna: OperatorSession;
  const ids: Record<string, string> = {};
  let amoToken = '';

  const add = async (body: Record<string, unknown>) => {
    const res = await call(hub, 'POST', '/api/connections', { headers: adminHeaders, body });
    expect([body.type, res.status, res.body.message]).toEqual([body.type, 201, undefined]);
    return String(res.body.id);
  };
  const choices = (id: string, headers = asOperator(anna, false)) =>
    call(hub, 'GET', `/api/connections/${id}/choices`, { headers });

  beforeAll(async () => {
    db = await createTestDatabase();
    b24 = await startBitrix24Emulator({});
    amo = await startAmocrmEmulator();
    g = await startGoogleEmulator();
    hub = await startTestHub(db, {
      CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port},${amo.host}`,
      GOOGLE_TOKEN_URL: g.endpoints.token,
      GOOGLE_SHEETS_API_URL: g.endpoints.sheetsRootUrl,
    });
    anna = await operatorSession(hub, 'Anna');

    b24.addCategory({ name: 'Retail', stages: [{ statusId: 'NEW', name: 'Fresh order' }] });
    b24.addUserField({ fieldName: 'PAID_AT', userTypeId: 'datetime', label: 'Paid at' });
    ids.bitrix24 = await add({
      type: 'bitrix24',
      mode: 'webhook',
      displayName: 'Portal',
      credentials: { webhookUrl: b24.createWebhook({}).url },
    });

    amo.createPipeline({ name: 'Shop', statuses: [{ name: 'Invoice sent' }] });
    amo.createCustomField({ name: 'Payment ref', type: 'text' });
    amoToken = amo.issueLongLivedToken();
    ids.amocrm = await add({
      type: 'amocrm',
      mode: 'token',
      displayName: 'Sales',
      settings: { host: amo.host },
      credentials: { token: amoToken },
    });

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const email = 'hub-writer@project.iam.gserviceaccount.com';
    g.registerServiceAccount({
      clientEmail: email,
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const sheet = g.createSpreadsheet({
      title: 'Payments',
      sharedWith: [email],
      sheets: [{ title: 'Archive' }, { title: 'Orders' }],
    });
    g.setCells(sheet.spreadsheetId, 'Orders!A1:C1', [['Order', 'Status', 'Amount']]);
    ids.sheets = await add({
      type: 'google-sheets',
      mode: 'service_account',
      displayName: 'Sheet',
      settings: {
        spreadsheetId: sheet.spreadsheetId,
        sheetName: 'Orders',
        language: 'en',
        columns: ['orderId', 'status', 'amount'],
      },
      credentials: {
        serviceAccountKey: {
          client_email: email,
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await hub?.close();
    await Promise.all([b24?.close(), amo?.close(), g?.close()]);
    await db?.drop();
  });

  it('Bitrix24: pipelines with their named stages and the UF_CRM_* deal fields', async () => {
    const res = await choices(ids.bitrix24);
    expect(res.status).toBe(200);
    const body = res.body as unknown as Choices;
    const general = body.pipelines!.find((p) => p.id === '0')!;
    expect(general.stages).toContainEqual({ id: 'WON', name: 'Deal successful' });
    const retail = body.pipelines!.find((p) => p.name === 'Retail')!;
    expect(retail.stages[0]).toEqual({ id: `C${retail.id}:NEW`, name: 'Fresh order' });
    expect(body.fields).toEqual([{ id: 'UF_CRM_PAID_AT', name: 'Paid at', type: 'datetime' }]);
  });

  it('amoCRM: open pipelines with the statuses a lead can move to, and lead fields', async () => {
    const res = await choices(ids.amocrm);
    expect(res.status).toBe(200);
    const body = res.body as unknown as Choices;
    const shop = body.pipelines!.find((p) => p.name === 'Shop')!;
    expect(shop.stages.map((s) => s.name)).toEqual([
      'Invoice sent',
      'Успешно реализовано',
      'Закрыто и не реализовано',
    ]);
    expect(body.fields).toContainEqual(
      expect.objectContaining({ name: 'Payment ref', type: 'text' }),
    );
  });

  it("Google Sheets: the tabs and the mapped tab's header row", async () => {
    const res = await choices(ids.sheets, adminHeaders);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      type: 'google-sheets',
      tabs: ['Archive', 'Orders'],
      sheetName: 'Orders',
    });
    expect((res.body as unknown as Choices).header!.slice(0, 3)).toEqual([
      'Order',
      'Status',
      'Amount',
    ]);
  });

  it('choices: 401 without a session, 404 unknown, 4xx naming a bad id', async () => {
    expect((await choices(ids.bitrix24, {})).status).toBe(401);
    const forged = await choices(ids.bitrix24, { cookie: 'vposhub_session=forged' });
    expect(forged.status).toBe(401);
    expect((await choices(randomUUID())).status).toBe(404);
    const bad = await choices('not-a-uuid');
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect(bad.body.message).toMatch(/^id/);
  });

  it('a refused token is a 409 asking to reconnect, not a 5xx', async () => {
    amo.revokeLongLivedToken(amoToken);
    const res = await choices(ids.amocrm);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/^connection: Sales refused the hub's credentials; reconnect/);
  });

  it('operators: a disabled operator is signed out and cannot sign in again', async () => {
    const boris = await operatorSession(hub, 'Boris');
    const path = `/api/operators/${boris.id}`;
    const patch = (headers: Record<string, string>, body: unknown = { disabled: true }) =>
      call(hub, 'PATCH', path, { headers, body });
    expect((await patch({})).status).toBe(401);
    const noCsrf = await patch(asOperator(anna, false));
    expect([noCsrf.status, noCsrf.body.message]).toEqual([403, expect.stringContaining('csrf')]);
    const bad = await patch(asOperator(anna), { disabled: 'yes' });
    expect([bad.status, bad.body.message]).toEqual([422, expect.stringMatching(/^disabled/)]);
    const self = await call(hub, 'PATCH', `/api/operators/${anna.id}`, {
      headers: asOperator(anna),
      body: { disabled: true },
    });
    expect([self.status, self.body.message]).toEqual([409, expect.stringMatching(/^disabled/)]);
    expect((await patch(asOperator(anna), { disabled: true })).status).toBe(200);

    const session = await call(hub, 'GET', '/api/session', { headers: asOperator(boris) });
    expect(session.status).toBe(401);
    const again = await call(hub, 'POST', '/api/session', {
      headers: { 'x-forwarded-for': randomUUID() },
      body: { email: 'boris@example.am', password: 'Boris pass phrase' },
    });
    expect(again.status).toBe(401);
    const list = await call(hub, 'GET', '/api/operators', { headers: asOperator(anna, false) });
    const rows = list.body as unknown as Array<{ id: string; disabledAt: string | null }>;
    expect(rows.find((o) => o.id === boris.id)?.disabledAt).toEqual(expect.any(String));

    expect((await patch(asOperator(anna), { disabled: false })).status).toBe(200);
    const back = await call(hub, 'POST', '/api/session', {
      headers: { 'x-forwarded-for': randomUUID() },
      body: { email: 'boris@example.am', password: 'Boris pass phrase' },
    });
    expect(back.status).toBe(200);
    const audit = await db.ds.query<Array<{ kind: string; actor: string }>>(
      `SELECT kind, actor FROM audit_log WHERE kind LIKE 'operator.%abled' ORDER BY id`,
    );
    expect(audit).toEqual([
      { kind: 'operator.disabled', actor: 'Anna' },
      { kind: 'operator.enabled', actor: 'Anna' },
    ]);
  });
});
