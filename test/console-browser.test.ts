import { Page } from 'playwright-core';
import { AmocrmEmulator, startAmocrmEmulator } from '../sandbox/amocrm/amocrm-emulator';
import { Bitrix24Emulator, startBitrix24Emulator } from '../sandbox/bitrix24/bitrix24-emulator';
import { GoogleEmulator, startGoogleEmulator } from '../sandbox/google/google-emulator';
import { startVposEmulator, VposEmulator } from '../sandbox/vpos/vpos-emulator';
import { sessionBody } from './factories/sessions';
import { Browser, launchBrowser, screenAndAxe } from './support/browser';
import { freePort } from './support/redis-server';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TEST_VPOS_TOKEN,
  TEST_WEBHOOK_SECRET,
  TestDatabase,
  TestHub,
  waitFor,
} from './support/test-hub';

const SHEET = '1ConsoleBrowserTestSheet000000000000000000';
const OPERATOR = {
  email: 'office@example.am',
  name: 'Office Manager',
  password: 'a long pass phrase',
};
const apps = {
  b24: { clientId: 'local.console.000001', clientSecret: 'console-b24-secret' },
  amo: { clientId: 'console-amo-integration', clientSecret: 'console-amo-secret' },
  google: { clientId: 'console.apps.googleusercontent.com', clientSecret: 'GOCSPX-console' },
};

describe('console in a browser: sign in, connect, link, pay, review, repair', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let vpos: VposEmulator;
  let b24: Bitrix24Emulator;
  let amo: AmocrmEmulator;
  let google: GoogleEmulator;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: TEST_WEBHOOK_SECRET,
    });
    b24 = await startBitrix24Emulator({
      ...apps.b24,
      redirectUri: `${base}/oauth/bitrix24/callback`,
      autoApprove: true,
    });
    amo = await startAmocrmEmulator({
      integration: { ...apps.amo, redirectUri: `${base}/oauth/amocrm/callback` },
      autoApprove: true,
    });
    google = await startGoogleEmulator({
      client: { ...apps.google, redirectUris: [`${base}/oauth/google/callback`] },
      userEmail: 'owner@example.am',
      autoApprove: true,
    });
    google.createSpreadsheet({ spreadsheetId: SHEET, title: 'Payments' });
    hub = await startTestHub(db, {
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      VPOS_API_BASE_URL: vpos.url,
      BITRIX24_CLIENT_ID: apps.b24.clientId,
      BITRIX24_CLIENT_SECRET: apps.b24.clientSecret,
      BITRIX24_OAUTH_SERVER: b24.oauthServerUrl,
      AMOCRM_CLIENT_ID: apps.amo.clientId,
      AMOCRM_CLIENT_SECRET: apps.amo.clientSecret,
      AMOCRM_AUTHORIZE_URL: `${amo.url}/oauth`,
      GOOGLE_CLIENT_ID: apps.google.clientId,
      GOOGLE_CLIENT_SECRET: apps.google.clientSecret,
      GOOGLE_AUTHORIZE_URL: google.endpoints.authorize,
      GOOGLE_TOKEN_URL: google.endpoints.token,
      GOOGLE_SHEETS_API_URL: google.endpoints.sheetsRootUrl,
      GOOGLE_SHEETS_UI_URL: google.url,
      CONNECTOR_INSECURE_HOSTS: [vpos.url, b24.url, amo.url, google.url]
        .map((u) => new URL(u).host)
        .join(','),
    });
    vpos.setWebhookUrl(`${hub.url}/webhooks/vpos`);
    const created = await fetch(`${hub.url}/api/operators`, {
      method: 'POST',
      headers: { ...adminHeaders, 'content-type': 'application/json' },
      body: JSON.stringify(OPERATOR),
    });
    expect(created.status).toBe(201);
    browser = await launchBrowser();
    page = browser.page;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    await Promise.all([vpos?.close(), b24?.close(), amo?.close(), google?.close()]);
    await db?.drop();
  }, 120_000);

  const admin = (path: string) => `${hub.url}/admin${path}`;
  /** Waits for a selector; when it never shows, the error carries what the page says. */
  async function shown(selector: string): Promise<void> {
    try {
      await page.locator(selector).first().waitFor({ timeout: 20000 });
    } catch (err) {
      const text = await page.locator('body').innerText();
      throw new Error(`${selector} not shown at ${page.url()}: ${text.slice(0, 1500)}`, {
        cause: err,
      });
    }
  }
  async function check(name: string): Promise<void> {
    expect([name, await screenAndAxe(page, name)]).toEqual([name, []]);
  }
  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`${hub.url}${path}`, { headers: adminHeaders });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }
  const connectionOf = async (type: string) =>
    (await api<Array<{ id: string; type: string; status: string }>>('/api/connections')).find(
      (c) => c.type === type,
    )!;

  async function setMapping(type: string, mapping: Record<string, unknown>): Promise<void> {
    const conn = await connectionOf(type);
    const card = page.locator(`section[data-connection="${conn.id}"]`);
    await card.locator('summary').click();
    const area = card.locator('textarea');
    const current = JSON.parse(await area.inputValue()) as Record<string, unknown>;
    await area.fill(JSON.stringify({ ...current, ...mapping }));
    await card.getByRole('button', { name: 'Save', exact: true }).click();
    await waitFor(
      async () => {
        const [row] = await db.ds.query<Array<{ settings: Record<string, unknown> }>>(
          `SELECT settings FROM connections WHERE id = $1`,
          [conn.id],
        );
        return Object.keys(mapping).every((k) => k in row.settings);
      },
      15000,
      `${type} mapping saved`,
    );
  }

  it('signs in and shows the home page', async () => {
    await page.goto(admin('/'));
    await page.fill('input[name=email]', OPERATOR.email);
    await page.fill('input[name=password]', 'wrong password');
    await page.click('button[type=submit]');
    await page.getByText('Wrong email or password').waitFor();
    await check('sign-in');
    await page.fill('input[name=password]', OPERATOR.password);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    await page.getByText('Nothing needs attention.').waitFor();
    await check('home');
  }, 120_000);

  it('connects Bitrix24, amoCRM and Google through their OAuth redirects', async () => {
    await page.goto(admin('/connections'));
    await page.fill('input[name=portal]', new URL(b24.url).host);
    await page.click('#connect-bitrix24');
    await page.getByText('is connected').waitFor();
    await page.goto(admin('/connections'));
    await page.click('#connect-amocrm');
    await page.getByText('is connected').waitFor();
    await page.getByRole('link', { name: 'Back to the console' }).click();
    await shown('input[name=spreadsheetId]');
    await page.fill('input[name=spreadsheetId]', SHEET);
    await page.click('#connect-google');
    await page.getByText('is connected').waitFor();
    await page.goto(admin('/connections'));
    await page.locator('section[data-connection]').first().waitFor();
    expect(await page.locator('section[data-connection]').count()).toBe(3);
    await setMapping('amocrm', { statuses: { paid: { statusId: 142 } } });
    const amoCard = page.locator(`section[data-connection="${(await connectionOf('amocrm')).id}"]`);
    await amoCard
      .locator('select[name="statuses.paid"] option', { hasText: 'Успешно реализовано' })
      .first()
      .waitFor({ state: 'attached' });
    const b24conn = await connectionOf('bitrix24');
    const card = page.locator(`section[data-connection="${b24conn.id}"]`);
    await card.locator('summary').click();
    // The stages offered are read from the portal, with the names it shows.
    const paid = card.locator('select[name="stages.paid"]');
    await paid.selectOption({ label: 'Deal successful (WON)' });
    await card.getByRole('button', { name: 'Save mapping' }).click();
    await card.locator('pre.preview-out', { hasText: '"stage": "WON"' }).waitFor();
    const [row] = await db.ds.query<Array<{ settings: { stages?: { paid?: string } } }>>(
      `SELECT settings FROM connections WHERE id = $1`,
      [b24conn.id],
    );
    expect(row.settings.stages?.paid).toBe('WON');
    const sheet = page.locator(
      `section[data-connection="${(await connectionOf('google-sheets')).id}"]`,
    );
    await sheet.locator('summary').click();
    await sheet.locator('select[name=sheetName] option', { hasText: 'Sheet1' }).waitFor({
      state: 'attached',
    });
    await check('connections');
  }, 120_000);

  let orderId = '';
  it('creates a link with its WhatsApp text and QR code, and pays it on the checkout', async () => {
    const deal = b24.createDeal({ TITLE: 'Sofa', OPPORTUNITY: 12500, CURRENCY_ID: 'AMD' });
    const lead = amo.createLead({ name: 'Sofa', price: 12500 });
    await page.goto(admin('/links'));
    await page.fill('input[name=amount]', '12 500');
    await page.fill('input[name=phone]', '+374 91 234567');
    await page.fill('input[name=bitrix24DealId]', String(deal.ID));
    await page.fill('input[name=amocrmLeadId]', String(lead.id));
    await page.getByRole('button', { name: 'Create', exact: true }).first().click();
    const card = page.locator('.created');
    await shown('.created img');
    expect(await card.locator('h2').textContent()).toContain('12 500 ֏');
    expect(await card.getByRole('link', { name: 'Send in WhatsApp' }).getAttribute('href')).toMatch(
      /^https:\/\/wa\.me\/37491234567\?text=/,
    );
    orderId = ((await card.locator('h2').textContent()) ?? '').split(' · ')[0];
    const payUrl = (await card.locator('a.pay-url').getAttribute('href'))!;
    await check('links');

    await page.goto(payUrl);
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForLoadState();
  }, 120_000);

  it("shows the order's timeline with the delivered deal, lead and row", async () => {
    await page.goto(admin('/payments'));
    await page.fill('input[name=orderId]', orderId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: orderId }).click();
    await page.getByRole('heading', { name: `Order id ${orderId}` }).waitFor();
    const wanted = [
      `${b24.url}/crm/deal/details/`,
      `${amo.url}/leads/detail/`,
      `/spreadsheets/d/${SHEET}`,
    ];
    await waitFor(
      async () => {
        await page.reload();
        const shown = await page
          .locator('a.crm-link')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
        return wanted.every((w) => shown.some((href) => href.includes(w)));
      },
      60000,
      'a delivered deal, lead and row link',
    ).catch(async (err: Error) => {
      const view = await api<{ deliveries: unknown[] }>(`/api/payments/${orderId}`);
      throw new Error(`${err.message}: ${JSON.stringify(view.deliveries)}`);
    });
    const hrefs = await page
      .locator('a.crm-link')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    expect(hrefs).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${b24.url}/crm/deal/details/`),
        expect.stringContaining(`${amo.url}/leads/detail/`),
        expect.stringContaining(`/spreadsheets/d/${SHEET}`),
      ]),
    );
    await page.getByText('delivery.attempt').first().waitFor();
    await check('order');
    // Each deep link opens the entity in its emulator, as it would in the real CRM.
    const sheetLink = hrefs.find((h) => h.includes('/spreadsheets/d/'))!;
    expect(sheetLink.startsWith(`${google.url}/spreadsheets/d/${SHEET}/edit#gid=`)).toBe(true);
    for (const href of hrefs) {
      await page.goto(href);
      const body = await page.locator('body').innerText();
      if (href === sheetLink) expect(body).toContain(orderId);
      else if (href.includes('/crm/deal/')) expect(body).toContain('Deal successful');
      else expect(body).toContain('Успешно реализовано');
    }
    await page.goto(admin(`/payments?orderId=${encodeURIComponent(orderId)}`));
    await page.getByRole('link', { name: orderId }).waitFor();
    await check('payments');
  }, 120_000);

  it('resolves a manual review from the home page', async () => {
    const s = vpos.createSession(sessionBody({ metadata: {} }));
    vpos.setStatus(s.id, 'pending', { webhook: { suppress: true } });
    await vpos.sendRaw({
      id: `evt_review_${s.id}`,
      type: 'payment.pending',
      createdAt: new Date().toISOString(),
      data: {
        id: s.id,
        merchantOrderId: s.merchantOrderId,
        amountMinor: 100,
        currency: 'AMD',
        status: 'pending',
      },
    });
    await waitFor(
      async () => {
        await page.goto(admin('/'));
        return (
          (await page.getByRole('link', { name: `Review order ${s.merchantOrderId}` }).count()) > 0
        );
      },
      30000,
      'the review on the home page',
    );
    await page.getByRole('link', { name: `Review order ${s.merchantOrderId}` }).click();
    await page.getByRole('heading', { name: 'Manual review' }).waitFor();
    await check('review');
    await page.selectOption('select[name=decision]', 'mark_failed');
    await page.fill('textarea[name=reason]', 'no money arrived');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: 'Manual review' }).waitFor({ state: 'detached' });
    const audit = await api<Array<{ kind: string; actor: string }>>(
      `/api/payments/${encodeURIComponent(s.merchantOrderId)}/audit`,
    );
    expect(audit.find((a) => a.kind === 'review.resolved')?.actor).toBe(OPERATOR.name);
  }, 120_000);

  it('shows a broken connection on home, reconnects it and replays its delivery', async () => {
    amo.revokeRefreshToken();
    amo.expireAccessToken();
    const lead = amo.createLead({ name: 'Chair', price: 5000 });
    const s = vpos.createSession(
      sessionBody({ metadata: { crm: { amocrmLeadId: String(lead.id) } } }),
    );
    vpos.setStatus(s.id, 'paid');
    const conn = await connectionOf('amocrm');
    await waitFor(
      async () => (await connectionOf('amocrm')).status === 'needs_reconnect',
      60000,
      'needs_reconnect',
    );
    await page.goto(admin('/'));
    await page.getByRole('link', { name: /Reconnect:/ }).click();
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    await check('connections-broken');
    await page.locator(`section[data-connection="${conn.id}"] button.reconnect`).click();
    await page.getByText('is connected').waitFor();
    expect((await connectionOf('amocrm')).status).toBe('active');
    await page.goto(admin('/deliveries'));
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    await check('deliveries');
    const replay = page.getByRole('button', { name: 'Replay', exact: true });
    if ((await replay.count()) > 0) await replay.first().click();
    await waitFor(
      async () => {
        const rows = await api<Array<{ connectionId: string; status: string }>>(
          `/api/deliveries?orderId=${encodeURIComponent(s.merchantOrderId)}`,
        );
        return rows.some((r) => r.connectionId === conn.id && r.status === 'delivered');
      },
      60000,
      'the amoCRM delivery after reconnecting',
    );
  }, 120_000);
});
