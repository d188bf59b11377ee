import { Page } from 'playwright-core';
import { startVposEmulator, VposEmulator } from '../sandbox/vpos/vpos-emulator';
import { join } from 'node:path';
import { Browser, launchBrowser, RESULTS, screenAndAxe } from './support/browser';
import { call } from './support/operator-session';
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

const OFFICE = {
  email: 'office@example.am',
  name: 'Office Manager',
  password: 'a long pass phrase',
};

describe('console in a browser: operators, resending a link, the queue dashboard', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let vpos: VposEmulator;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    db = await createTestDatabase();
    vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: TEST_WEBHOOK_SECRET,
    });
    hub = await startTestHub(db, {
      VPOS_API_BASE_URL: vpos.url,
      CONNECTOR_INSECURE_HOSTS: new URL(vpos.url).host,
    });
    const first = await call(hub, 'POST', '/api/operators', {
      headers: adminHeaders,
      body: OFFICE,
    });
    expect(first.status).toBe(201);
    browser = await launchBrowser();
    page = browser.page;
    await page.goto(`${hub.url}/admin/`);
    await page.fill('input[name=email]', OFFICE.email);
    await page.fill('input[name=password]', OFFICE.password);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    await vpos?.close();
    await db?.drop();
  }, 60_000);

  const audit = (kind: string) =>
    db.ds.query<Array<{ actor: string; data: Record<string, unknown> }>>(
      `SELECT actor, data FROM audit_log WHERE kind = $1 ORDER BY id`,
      [kind],
    );

  it('adds an operator and disables them; they can no longer sign in', async () => {
    await page.getByRole('link', { name: 'Operators' }).click();
    await page.getByRole('heading', { name: 'Operators' }).waitFor();
    await page.fill('input[name=email]', 'cashier@example.am');
    await page.fill('input[name=name]', 'Cashier');
    await page.fill('input[name=password]', 'another long phrase');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('cell', { name: 'cashier@example.am' }).waitFor();
    // No button disables the signed-in operator's own account.
    expect(await page.getByRole('button', { name: 'Disable: Office Manager' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Disable: Cashier' }).click();
    await page.getByRole('button', { name: 'Enable: Cashier' }).waitFor();
    expect(await screenAndAxe(page, 'operators')).toEqual([]);
    const signIn = await call(hub, 'POST', '/api/session', {
      body: { email: 'cashier@example.am', password: 'another long phrase' },
    });
    expect(signIn.status).toBe(401);
    expect((await audit('operator.disabled')).map((a) => a.actor)).toEqual([OFFICE.name]);
  }, 120_000);

  it('resends an open link: its WhatsApp text and QR again, audited with the operator', async () => {
    const created = await fetch(`${hub.url}/api/payment-links`, {
      method: 'POST',
      headers: { ...adminHeaders, 'content-type': 'application/json', 'idempotency-key': 'k-1' },
      body: JSON.stringify({
        orderId: 'ord-resend-1',
        amountMinor: 1_250_000,
        currency: 'AMD',
        customer: { phone: '+37491234567' },
      }),
    });
    expect(created.status).toBe(201);
    const link = (await created.json()) as { id: string; url: string };
    await page.getByRole('link', { name: 'Links' }).click();
    await page.getByRole('button', { name: 'Resend: ord-resend-1' }).click();
    const card = page.locator('.created');
    await card.locator('img').waitFor();
    expect(await card.locator('h2').textContent()).toBe('ord-resend-1 · 12 500 ֏');
    expect(await card.locator('textarea').inputValue()).toContain(link.url);
    expect(await card.getByRole('link', { name: 'Send in WhatsApp' }).getAttribute('href')).toMatch(
      /^https:\/\/wa\.me\/37491234567\?text=/,
    );
    expect(await screenAndAxe(page, 'links-resend')).toEqual([]);
    await waitFor(async () => (await audit('link.resent')).length === 1, 5000, 'link.resent');
    expect(await audit('link.resent')).toEqual([{ actor: OFFICE.name, data: { linkId: link.id } }]);
  }, 120_000);

  it('opens the queue dashboard with the same sign-in', async () => {
    await page.goto(`${hub.url}/admin/`);
    await page.getByRole('link', { name: 'Queues' }).click();
    await page.waitForURL(`${hub.url}/admin/queues`);
    // Its sidebar lists the hub's queues once its scripts ran under the board's own CSP.
    await page.getByText('payment-verification').first().waitFor();
    await page.screenshot({ path: join(RESULTS, 'console-queues.png'), fullPage: true });
    // The board's own requests carry no CSRF token: a change through it is refused.
    const pause = await page.evaluate(async () => {
      const res = await fetch('/admin/queues/api/queues/deliveries/pause', { method: 'PUT' });
      return res.status;
    });
    expect(pause).toBe(403);
  }, 120_000);
});
