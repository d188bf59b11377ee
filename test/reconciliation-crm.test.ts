import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { AmocrmEmulator, startAmocrmEmulator } from '../sandbox/amocrm/amocrm-emulator';
import { Bitrix24Emulator, startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { GoogleEmulator, startGoogleEmulator } from '../sandbox/google/google-emulator';
import {
  DEFAULT_COLUMNS,
  SheetColumn,
} from '../src/connectors/google-sheets/google-sheets.settings';
import { addWebhookConnection, pay } from './support/delivery-fixtures';
import { startStack, Stack } from './support/stack';
import { adminHeaders, waitFor } from './support/test-hub';

const EMAIL = 'recon-writer@project.iam.gserviceaccount.com';
const HEADER =
  'provider_reference,order_id,amount_minor,currency,status,paid_at,refund_amount_minor';

interface ExceptionItem {
  id: string;
  type: string;
  orderId: string;
  connectionId: string;
  connectionType: string;
}

describe('reconciliation: read-back of Bitrix24 deals, amoCRM leads and sheet rows', () => {
  let stack: Stack;
  let b24: Bitrix24Emulator;
  let amo: AmocrmEmulator;
  let g: GoogleEmulator;
  let sheetId: string;
  let amoToken: string;
  const conn: Record<string, string> = {};
  const sessions: Array<{ id: string; merchantOrderId: string; amountMinor: number }> = [];

  beforeAll(async () => {
    b24 = await startBitrix24Emulator({
      clientId: 'app.recon',
      clientSecret: 'recon-secret',
      redirectUri: 'http://127.0.0.1:9/oauth/bitrix24/callback',
      portals: [{ name: 'shop', webhooks: [{ code: 'hookrecon1' }] }],
    });
    amo = await startAmocrmEmulator();
    g = await startGoogleEmulator();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    g.registerServiceAccount({
      clientEmail: EMAIL,
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    stack = await startStack({
      RECONCILIATION_SCHEDULE: 'off',
      GOOGLE_TOKEN_URL: g.endpoints.token,
      GOOGLE_SHEETS_API_URL: g.endpoints.sheetsRootUrl,
      CONNECTOR_INSECURE_HOSTS: `127.0.0.1:${b24.port},${amo.host}`,
    });
    sheetId = g.createSpreadsheet({
      title: 'Payments',
      sheets: [{ title: 'Orders' }],
      sharedWith: [EMAIL],
    }).spreadsheetId;
    const orderField = amo.createCustomField({ name: 'Order ID', type: 'text' }).id;
    amoToken = amo.issueLongLivedToken();
    const add = async (body: Record<string, unknown>) => {
      const res = await request(stack.hub.url)
        .post('/api/connections')
        .set(adminHeaders)
        .send(body);
      if (res.status !== 201) throw new Error(`connect: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { id: string }).id;
    };
    conn.bitrix24 = await add({
      type: 'bitrix24',
      mode: 'webhook',
      displayName: 'b24',
      credentials: { webhookUrl: b24.portal('shop').webhooks[0].url },
      settings: { createDeals: true },
    });
    conn.amocrm = await add({
      type: 'amocrm',
      mode: 'token',
      displayName: 'amo',
      settings: { host: amo.host, orderIdField: orderField, createLeads: true },
      credentials: { token: amoToken },
    });
    conn['google-sheets'] = await add({
      type: 'google-sheets',
      mode: 'service_account',
      displayName: 'sheet',
      settings: { spreadsheetId: sheetId, sheetName: 'Orders' },
      credentials: {
        serviceAccountKey: {
          client_email: EMAIL,
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
      },
    });
    await addWebhookConnection(stack.hub, stack.receiver);
    for (let i = 0; i < 6; i++) sessions.push(pay(stack.vpos, { metadata: { crm: {} } }));
    await delivered();
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
    await b24?.close();
    await amo?.close();
    await g?.close();
  });

  /** Every paid order delivered to the three CRMs (and the webhook receiver). */
  const delivered = () =>
    waitFor(
      async () => {
        const [row] = await stack.db.ds.query<Array<{ done: number; open: number }>>(
          `SELECT count(*) FILTER (WHERE status = 'delivered')::int AS done,
             count(*) FILTER (WHERE status <> 'delivered')::int AS open
           FROM deliveries WHERE connection_id = ANY($1::uuid[])`,
          [Object.values(conn)],
        );
        return row.open === 0 && row.done >= sessions.length * 3;
      },
      45000,
      'deliveries to the CRMs',
    ).catch(async (err: Error) => {
      const rows = await stack.db.ds.query(
        `SELECT c.type, d.status, d.attempts, d.last_error FROM deliveries d
         JOIN connections c ON c.id = d.connection_id`,
      );
      throw new Error(`${err.message}: ${JSON.stringify(rows)}`);
    });

  const report = () =>
    [
      HEADER,
      ...sessions.map((s) => `${s.id},${s.merchantOrderId},${s.amountMinor},AMD,paid,,`),
    ].join('\n');

  const run = async () => {
    const res = await request(stack.hub.url)
      .post('/api/reconciliation/runs')
      .set(adminHeaders)
      .set('content-type', 'text/csv')
      .send(report());
    expect(res.status).toBe(201);
    return res.body as {
      id: string;
      summary: { matched: number; exceptions: number };
      destinations: Array<{ type: string; supported: boolean; checked: number; error?: string }>;
      exceptions: { items: ExceptionItem[] };
    };
  };

  const b24Call = async (method: string, params: Record<string, unknown>) => {
    const res = await fetch(`${b24.portal('shop').webhooks[0].url}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    expect(res.status).toBe(200);
  };

  it('nothing changed: every order matches, in the journal and in every CRM', async () => {
    const res = await run();
    expect(res.summary).toMatchObject({ matched: sessions.length, exceptions: 0 });
    const byType = Object.fromEntries(res.destinations.map((d) => [d.type, d]));
    for (const type of ['bitrix24', 'amocrm', 'google-sheets']) {
      expect(byType[type]).toMatchObject({ supported: true, checked: sessions.length });
      expect(byType[type].error).toBeUndefined();
    }
    expect(byType.webhook).toMatchObject({ supported: false });
  });

  it('deals, leads and rows changed in the CRMs are exceptions of their destination; redelivery repairs them', async () => {
    const [a, b, c, d, e] = sessions.map((s) => s.merchantOrderId);
    const deal = (order: string) =>
      b24.listDeals({ portal: 'shop' }).find((x) => x.ORIGIN_ID === order)!;
    await b24Call('crm.deal.update', { id: deal(a).ID, fields: { STAGE_ID: 'NEW' } });
    await b24Call('crm.deal.delete', { id: deal(b).ID });

    const lead = amo
      .listLeads()
      .find((l) => l.custom_fields_values?.some((f) => f.values.some((v) => v.value === c)))!;
    const open = amo
      .listPipelines()[0]
      .statuses.find((s) => s.type === 0 && s.id !== 142 && s.id !== 143)!;
    const patched = await fetch(`${amo.url}/api/v4/leads`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${amoToken}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ id: lead.id, status_id: open.id, pipeline_id: open.pipeline_id }]),
    });
    expect(patched.status).toBe(200);

    const cells = g.readCells(sheetId, 'Orders');
    const col = (c: SheetColumn) => String.fromCharCode(65 + DEFAULT_COLUMNS.indexOf(c));
    const key = DEFAULT_COLUMNS.indexOf('orderId');
    const rowOf = (order: string) => cells.findIndex((r) => r[key] === order) + 1;
    g.setCells(sheetId, `Orders!${col('status')}${rowOf(d)}`, [['pending']]);
    g.setCells(sheetId, `Orders!${col('orderId')}${rowOf(e)}`, [['']]);

    const res = await run();
    const found = res.exceptions.items
      .map((x) => `${x.type}/${x.connectionType}/${x.orderId}`)
      .sort();
    expect(found).toEqual(
      [
        `destination_not_paid/bitrix24/${a}`,
        `destination_missing/bitrix24/${b}`,
        `destination_not_paid/amocrm/${c}`,
        `destination_not_paid/google-sheets/${d}`,
        `destination_missing/google-sheets/${e}`,
      ].sort(),
    );
    for (const x of res.exceptions.items) expect(x.connectionId).toBe(conn[x.connectionType]);

    const repair = await request(stack.hub.url)
      .post(`/api/reconciliation/runs/${res.id}/repair`)
      .set(adminHeaders)
      .set('x-actor', 'Anna')
      .send({ action: 'redeliver' });
    expect(repair.status).toBe(200);
    expect(repair.body).toMatchObject({ repaired: 5, failed: 0 });
    await delivered();

    const again = await run();
    expect(again.summary).toMatchObject({ matched: sessions.length, exceptions: 0 });
  });
});
