import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVposEmulator, VposEmulator } from '../sandbox/vpos/vpos-emulator';
import { seedJournal } from './factories/reconciliation-report';
import { ConsoleBrowser, openConsoleBrowser } from './support/console-browser';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TEST_VPOS_TOKEN,
  TEST_WEBHOOK_SECRET,
  TestDatabase,
  TestHub,
} from './support/test-hub';

const OPERATOR = {
  email: 'recon@example.am',
  name: 'Recon Operator',
  password: 'a long pass phrase',
};
const HEADER =
  'provider_reference,order_id,amount_minor,currency,status,paid_at,refund_amount_minor';
const DAY = 86_400_000;

describe('console in a browser: reconcile a report, repair, reconcile again', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let vpos: VposEmulator;
  let browser: ConsoleBrowser;
  let dir: string;
  let reportFile: string;
  let jsonFile: string;
  const paidAt = new Date(Date.now() - 3600_000);
  const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
  const tag = Date.now().toString(36);
  const orders = { pending: '', matched: `cr-match-${tag}`, mismatch: `cr-amount-${tag}` };

  beforeAll(async () => {
    db = await createTestDatabase();
    vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: TEST_WEBHOOK_SECRET,
    });
    hub = await startTestHub(db, {
      VPOS_API_BASE_URL: vpos.url,
      RECONCILIATION_SCHEDULE: 'off',
      CONNECTOR_INSECURE_HOSTS: new URL(vpos.url).host,
    });
    const created = await fetch(`${hub.url}/api/operators`, {
      method: 'POST',
      headers: { ...adminHeaders, 'content-type': 'application/json' },
      body: JSON.stringify(OPERATOR),
    });
    expect(created.status).toBe(201);
    // Paid at VPOS, its webhook lost: the journal still says pending.
    const s = vpos.createSession({
      merchantOrderId: `cr-pend-${tag}`,
      amountMinor: 700_000,
      currency: 'AMD',
    });
    vpos.setStatus(s.id, 'paid', { webhook: { suppress: true } });
    orders.pending = s.merchantOrderId;
    await seedJournal(
      db.ds,
      [
        {
          order: s.merchantOrderId,
          ref: s.id,
          status: 'pending',
          amount: 700_000,
          currency: 'AMD',
        },
        {
          order: orders.matched,
          ref: `ref-${orders.matched}`,
          status: 'paid',
          amount: 250_000,
          currency: 'AMD',
        },
        {
          order: orders.mismatch,
          ref: `ref-${orders.mismatch}`,
          status: 'paid',
          amount: 90_000,
          currency: 'AMD',
        },
      ],
      paidAt,
    );
    const when = paidAt.toISOString();
    dir = mkdtempSync(join(tmpdir(), 'recon-report-'));
    const lines = [
      `${s.id},${s.merchantOrderId},700000,AMD,succeeded,${when},`,
      `ref-${orders.matched},${orders.matched},250000,AMD,paid,${when},`,
      `ref-${orders.mismatch},${orders.mismatch},90100,AMD,paid,${when},`,
    ];
    reportFile = join(dir, 'vpos-report.csv');
    writeFileSync(reportFile, [HEADER, ...lines].join('\n') + '\n');
    // The same report as JSON rows, for the second run.
    const names = HEADER.split(',');
    jsonFile = join(dir, 'vpos-report.json');
    writeFileSync(
      jsonFile,
      JSON.stringify({
        rows: lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v]))),
      }),
    );
    browser = await openConsoleBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await hub?.close();
    await vpos?.close();
    await db?.drop();
  }, 120_000);

  const admin = (path: string) => `${hub.url}/admin${path}`;
  async function check(name: string): Promise<void> {
    expect([name, await browser.check(name)]).toEqual([name, []]);
  }
  async function upload(file: string): Promise<void> {
    const { page } = browser;
    await page.goto(admin('/reconciliation'));
    await page.getByRole('heading', { name: 'Reconcile a provider report' }).waitFor();
    await page.setInputFiles('input[name=report]', file);
    await page.fill('input[name=from]', day(-1));
    await page.fill('input[name=to]', day(1));
    await page.getByRole('button', { name: 'Reconcile', exact: true }).click();
    await browser.shown('h2#summary-title', 60000);
  }
  const row = (orderId: string) =>
    browser.page.locator('tr', { has: browser.page.getByRole('link', { name: orderId }) });

  it('signs in, uploads the report and shows the dangerous exception first', async () => {
    const { page } = browser;
    await page.goto(admin('/reconciliation'));
    await page.fill('input[name=email]', OPERATOR.email);
    await page.fill('input[name=password]', OPERATOR.password);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Reconciliation', exact: true }).waitFor();
    await page.getByText('No reconciliation yet.').waitFor();
    await check('reconciliation-empty');
    await upload(reportFile);
    const summary = page.locator('section[aria-labelledby=summary-title]');
    await summary.getByText('Rows: 3 · Matched: 1 · Exceptions: 2').waitFor();
    const types = await summary.locator('tbody tr td:first-child').allInnerTexts();
    expect(types).toEqual(['Provider paid, journal still pending', 'Amount differs']);
    const first = page.locator('section[aria-labelledby=exceptions-title] tbody tr').first();
    expect(await first.innerText()).toContain(orders.pending);
    const csv = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(csv).toMatch(/^\/api\/reconciliation\/runs\/[0-9a-f-]{36}\/exceptions\.csv$/);
    await check('reconciliation-run');
    await summary.getByRole('button', { name: 'Amount differs' }).click();
    await page
      .locator('select[name=type] option:checked', { hasText: 'Amount differs' })
      .waitFor({ state: 'attached' });
    const filtered = page.locator('section[aria-labelledby=exceptions-title] tbody tr');
    expect(await filtered.allInnerTexts()).toEqual([expect.stringContaining(orders.mismatch)]);
    await page.selectOption('select[name=type]', '');
    await filtered.nth(1).waitFor();
  }, 120_000);

  it('looks the pending payment up at VPOS and resolves the other with a comment', async () => {
    await row(orders.pending).getByRole('button', { name: 'Look up at VPOS' }).click();
    await row(orders.pending)
      .locator('.badge', { hasText: /^repaired$/ })
      .waitFor();
    const [order] = await db.ds.query<Array<{ status: string }>>(
      `SELECT status FROM payment_orders WHERE order_id = $1`,
      [orders.pending],
    );
    expect(order.status).toBe('paid');
    const mismatch = row(orders.mismatch);
    await mismatch.getByRole('textbox', { name: 'Comment' }).fill('bank fee, agreed with VPOS');
    await mismatch.getByRole('button', { name: 'Mark resolved' }).click();
    await mismatch.locator('.badge', { hasText: /^resolved$/ }).waitFor();
    const audit = await db.ds.query<Array<{ actor: string; data: { action: string } }>>(
      `SELECT actor, data FROM audit_log WHERE kind = 'reconciliation.repair' ORDER BY id`,
    );
    expect(audit.map((a) => [a.actor, a.data.action])).toEqual([
      [OPERATOR.name, 'lookup'],
      [OPERATOR.name, 'resolve'],
    ]);
  }, 120_000);

  it('reconciles the same report again (as JSON): the repaired payment is a match', async () => {
    const { page } = browser;
    await upload(jsonFile);
    const summary = page.locator('section[aria-labelledby=summary-title]');
    await summary.getByText('Rows: 3 · Matched: 2 · Exceptions: 1').waitFor();
    expect(await summary.locator('tbody tr td:first-child').allInnerTexts()).toEqual([
      'Amount differs',
    ]);
    await page.selectOption('select[name=bulkAction]', 'resolve');
    await page.fill('input[name=bulkComment]', 'known bank fee');
    await page.getByRole('button', { name: 'Apply to all open' }).click();
    await page.getByText('Repaired 1, failed 0').waitFor();
    await page.goto(admin('/reconciliation'));
    await page.locator('section[aria-labelledby=runs-title] tbody tr').nth(1).waitFor();
    const open = await page
      .locator('section[aria-labelledby=runs-title] tbody tr td:last-child')
      .allInnerTexts();
    expect(open).toEqual(['0', '0']);
    await check('reconciliation');
    await page.selectOption('#lang', 'hy');
    await page.getByRole('heading', { name: 'Համադրում', exact: true }).waitFor();
    await check('reconciliation-hy');
    await page.selectOption('#lang', 'en');
  }, 120_000);
});
