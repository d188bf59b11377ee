import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { amoLead, bitrixDeal, sheetRow, sheetRows } from '../sandbox/demo/emulator-api';
import { sandboxUrls } from '../sandbox/demo/sandbox-env';
import { freePort } from './support/redis-server';
import { MACHINE_REDIS, PG_BASE, waitFor } from './support/test-hub';

const ROOT = join(__dirname, '..');

function alive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes running in `dir` (the run script, the hub, the emulators all start there). */
function processesIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
async function json(url: string, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  return res.json();
}

/** `npm run hub` on a fresh clone of HEAD with no .env, then `npm run demo` against it. */
describe('sandbox mode: the first command shows the whole job working', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hub-sandbox-'));
  const dbName = `vpos_hub_sandbox_${randomBytes(4).toString('hex')}`;
  let hub: ChildProcess | undefined;
  let output = '';
  let env: Record<string, string>;

  beforeAll(async () => {
    execFileSync('git', ['clone', '-q', ROOT, dir]);
    // The clone shares this checkout's dependencies; an old lock file keeps install_deps quiet.
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    utimesSync(join(dir, 'package-lock.json'), 0, 0);
    expect(existsSync(join(dir, '.env'))).toBe(false);
    const [hubPort, vpos, amo, b24, google] = await Promise.all([1, 2, 3, 4, 5].map(freePort));
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      // No PUBLIC_BASE_URL: in sandbox mode the run script derives it from PORT.
      PORT: String(hubPort),
      DATABASE_URL: `${PG_BASE}/${dbName}`,
      REDIS_URL: MACHINE_REDIS,
      QUEUE_PREFIX: `sb${randomBytes(4).toString('hex')}`,
      SANDBOX_VPOS_PORT: String(vpos),
      SANDBOX_AMOCRM_PORT: String(amo),
      SANDBOX_BITRIX24_PORT: String(b24),
      SANDBOX_GOOGLE_PORT: String(google),
      LOG_LEVEL: 'warn',
    };
    hub = spawn('bash', ['scripts/run.sh'], { cwd: dir, env, detached: true });
    hub.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    hub.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // The banner's last line: the hub is ready and the bootstrap is done.
    await waitFor(() => Promise.resolve(output.includes('go live:')), 300_000, 'sandbox ready');
  }, 320_000);

  afterAll(async () => {
    if (hub?.pid && alive(hub.pid)) process.kill(-hub.pid, 'SIGKILL');
    const admin = new DataSource({ type: 'postgres', url: `${PG_BASE}/postgres` });
    await admin.initialize();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a sandbox .env, connects every CRM, and the demo order reaches each CRM', async () => {
    expect(output).toMatch(/SANDBOX/);
    expect(output).toContain(`admin: http://localhost:${env.PORT}/admin`);
    expect(output).toContain('HUB_MODE=live');
    expect(execFileSync('grep', ['^HUB_MODE=', join(dir, '.env')], { encoding: 'utf8' })).toBe(
      'HUB_MODE=sandbox\n',
    );

    const demo = execFileSync('npm', ['run', '--silent', 'demo'], {
      cwd: dir,
      env,
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(demo).toContain('wa.me/');
    const line = demo.split('\n').find((l) => l.includes('DEMO_ORDER '))!;
    const order = JSON.parse(line.slice(line.indexOf('{'))) as Record<string, string>;

    // Each CRM as its own API shows it: the deal won, the lead in 142, one row per order.
    const urls = sandboxUrls(env);
    expect((await bitrixDeal(urls, order.dealId)).STAGE_ID).toBe('WON');
    expect((await amoLead(urls, order.leadId)).status_id).toBe(142);
    const retried = await sheetRow(urls, order.retryOrderId);
    expect(retried).toMatchObject({ Order: order.retryOrderId, Status: 'paid', Currency: 'AMD' });
    expect(retried?.['Paid at']).not.toBe('');
    const refunded = await sheetRow(urls, order.orderId);
    expect(refunded).toMatchObject({ Order: order.orderId, Status: 'refunded', Amount: 12500 });
    expect(demo).toContain(`sheet row of ${order.retryOrderId}: {"Order":"${order.retryOrderId}"`);

    const token = /^ADMIN_TOKEN=(.*)$/m.exec(
      execFileSync('cat', [join(dir, '.env')], { encoding: 'utf8' }),
    )![1];
    const auth = { authorization: `Bearer ${token}` };
    const hubUrl = `http://127.0.0.1:${env.PORT}`;
    const connections: { id: string; type: string; settings: Record<string, unknown> }[] =
      await json(`${hubUrl}/api/connections`, auth);
    expect(connections.map((c) => c.type).sort()).toEqual(['amocrm', 'bitrix24', 'google-sheets']);
    expect(connections.find((c) => c.type === 'google-sheets')!.settings).toMatchObject({
      sheetName: 'Payments',
    });

    // One paid event per attempt, and every delivery of it delivered.
    for (const orderId of [order.orderId, order.retryOrderId]) {
      const payment = await json(`${hubUrl}/api/payments/${orderId}`, auth);
      const paid = payment.events.filter((e: { type: string }) => e.type === 'paid');
      expect(paid).toHaveLength(1);
      const ofPaid = payment.deliveries.filter(
        (d: { eventId: string }) => d.eventId === paid[0].id,
      );
      expect(ofPaid.map((d: { status: string }) => d.status)).toEqual([
        'delivered',
        'delivered',
        'delivered',
      ]);
    }

    // The bootstrap again, as a restart runs it: it finds what exists and adds nothing.
    const rowsBefore = await sheetRows(urls);
    const again = execFileSync('node', ['dist/sandbox/demo/bootstrap.js'], {
      cwd: dir,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(again).toContain('spreadsheet "Sandbox payments" found');
    expect(again).toContain('catalog: 3 products (0 created now)');
    expect(await sheetRows(urls)).toEqual(rowsBefore);
    const after: unknown[] = await json(`${hubUrl}/api/connections`, auth);
    expect(after).toHaveLength(3);
    const products = await json(`${hubUrl}/api/products`, auth);
    expect(products).toHaveLength(3);
  }, 240_000);

  it('Ctrl-C stops the hub and every emulator it started, leaving no process behind', async () => {
    const pgid = hub!.pid!;
    const started = processesIn(dir);
    expect(started.length).toBeGreaterThanOrEqual(5);
    process.kill(-pgid, 'SIGINT');
    await waitFor(() => Promise.resolve(!alive(pgid)), 20_000, 'every process to stop');
    expect(processesIn(dir)).toEqual([]);
    const ports = [
      env.PORT,
      env.SANDBOX_VPOS_PORT,
      env.SANDBOX_BITRIX24_PORT,
      env.SANDBOX_AMOCRM_PORT,
      env.SANDBOX_GOOGLE_PORT,
    ];
    for (const port of ports) {
      await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    }
  }, 30_000);
});
