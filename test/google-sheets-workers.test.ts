import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { GoogleEmulator, startGoogleEmulator } from '../sandbox/google/google-emulator';
import { killHard, useWorkerStack } from './support/child-worker';
import { pay, untilDelivered } from './support/delivery-fixtures';
import { adminHeaders, waitFor } from './support/test-hub';

const EMAIL = 'hub-workers@project.iam.gserviceaccount.com';

describe('Google Sheets connector: worker processes', () => {
  let g: GoogleEmulator;
  let key: { client_email: string; private_key: string };

  beforeAll(async () => {
    g = await startGoogleEmulator();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    g.registerServiceAccount({
      clientEmail: EMAIL,
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    key = {
      client_email: EMAIL,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  });
  const stack = useWorkerStack(() => ({
    GOOGLE_TOKEN_URL: g.endpoints.token,
    GOOGLE_SHEETS_API_URL: g.endpoints.sheetsRootUrl,
  }));
  const { children } = stack;
  afterEach(async () => {
    g.setBeforeRespond(undefined);
    for (const c of children.splice(0)) await killHard(c);
  });
  afterAll(() => g?.close());

  /** A sheet of its own and a connection writing to it. */
  async function connect(settings: Record<string, unknown> = {}) {
    const { spreadsheetId } = g.createSpreadsheet({
      title: 'Payments',
      sheets: [{ title: 'Orders' }],
      sharedWith: [EMAIL],
    });
    const res = await request(stack.api.url)
      .post('/api/connections')
      .set(adminHeaders)
      .send({
        type: 'google-sheets',
        mode: 'service_account',
        displayName: 'Payments sheet',
        settings: { spreadsheetId, sheetName: 'Orders', language: 'en', ...settings },
        credentials: { serviceAccountKey: key },
      });
    expect(res.status).toBe(201);
    return {
      spreadsheetId,
      connectionId: (res.body as { id: string }).id,
      rows: () => g.readCells(spreadsheetId, "'Orders'").slice(1),
    };
  }

  it('a worker SIGKILLed between the append and its commit: the retry adds no second row', async () => {
    const sheet = await connect();
    let current: ChildProcess = await stack.startWorker();
    let kills = 0;
    g.setBeforeRespond(async ({ method, spreadsheetId }) => {
      // The row is in the sheet; the worker dies before it hears the answer or commits.
      if (method !== 'AppendValues' || spreadsheetId !== sheet.spreadsheetId || kills > 0) return;
      kills++;
      await killHard(current);
      current = await stack.startWorker();
    });

    const s = pay(stack.vpos, { metadata: {} });
    const [row] = await untilDelivered(stack.db, s.merchantOrderId, 'delivered after the crash');
    expect(kills).toBe(1);
    expect(row.attempts).toBe(2);
    const rows = sheet.rows().filter((r) => r[0] === s.merchantOrderId);
    expect(rows).toHaveLength(1);
    expect(rows[0][1]).toBe('paid');
  }, 120000);

  it('two worker processes on one sheet: every order one row holding its own values', async () => {
    // Small calls and no quota pressure, so the two workers interleave many calls.
    const sheet = await connect({
      batchSize: 3,
      rateLimit: { capacity: 500, refillPerSecond: 500 },
    });
    g.setQuota({
      readRequestsPerMinutePerUser: 100_000,
      writeRequestsPerMinutePerUser: 100_000,
      readRequestsPerMinutePerProject: 100_000,
      writeRequestsPerMinutePerProject: 100_000,
    });
    // The first appends fail before writing, so every order's retry reads the key column
    // first. Answers to the first reads outlive the delivery lease (3 s): the other worker takes
    // the same orders over while the first still acts on what it read. Only the spreadsheet
    // lock keeps the two from both appending (two rows for an order) or writing a stale row.
    const orders = 12;
    g.injectFaults({ count: 12, status: 503, method: 'POST', pathIncludes: sheet.spreadsheetId });
    let slowReads = 3;
    g.setBeforeRespond(async ({ method, spreadsheetId }) => {
      if (method !== 'GetValues' || spreadsheetId !== sheet.spreadsheetId || slowReads <= 0) return;
      slowReads -= 1;
      await new Promise((r) => setTimeout(r, 4500));
    });
    await Promise.all([stack.startWorker(), stack.startWorker()]);

    const stamp = Date.now().toString(36);
    const sessions = Array.from({ length: orders }, (_, i) =>
      stack.vpos.createSession({
        merchantOrderId: `two-${i}-${stamp}`,
        amountMinor: 100_000 + i * 100,
        currency: 'AMD',
        provider: 'manual',
        customer: { phone: '+37491234567', name: 'Ani' },
        metadata: { customerId: `cust-${i}` },
      }),
    );
    for (const o of sessions) stack.vpos.setStatus(o.id, 'paid');

    let state = '';
    await waitFor(
      async () => {
        const rows = await stack.db.ds.query<{ status: string; attempts: number; error: string }[]>(
          `SELECT status, attempts, coalesce(last_error, '') AS error FROM deliveries
           WHERE order_id LIKE $1 AND connection_id = $2 ORDER BY seq`,
          [`two-%-${stamp}`, sheet.connectionId],
        );
        state = JSON.stringify(rows);
        return rows.length === orders && rows.every((r) => r.status === 'delivered');
      },
      180000,
      'every paid delivery',
    ).catch((err: Error) => {
      throw new Error(`${err.message}; deliveries: ${state}`);
    });
    // The race happened: reads were slowed and deliveries were taken over (attempts beyond 2).
    expect(slowReads).toBe(0);
    const [{ max }] = await stack.db.ds.query<{ max: number }[]>(
      `SELECT max(attempts)::int AS max FROM deliveries WHERE order_id LIKE $1 AND connection_id = $2`,
      [`two-%-${stamp}`, sheet.connectionId],
    );
    expect(max).toBeGreaterThanOrEqual(3);

    const rows = sheet.rows();
    expect(rows.map((r) => r[0]).sort()).toEqual(sessions.map((o) => o.merchantOrderId).sort());
    sessions.forEach((o, i) => {
      const mine = rows.filter((r) => r[0] === o.merchantOrderId);
      expect(mine).toHaveLength(1);
      expect(mine[0].slice(0, 6)).toEqual([
        o.merchantOrderId,
        'paid',
        1000 + i,
        'AMD',
        '+37491234567',
        `cust-${i}`,
      ]);
    });
  }, 360000);
});
