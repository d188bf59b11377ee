/**
 * bench/verify-cost: what one paid event costs the hub, in units a busy machine does not distort:
 * SQL round trips per event (the pg driver counted in each hub process), transactions, CPU ms of
 * the api, the worker and the database's backends, Redis commands (a private redis-server), and
 * the worker's NOTIFY wake-ups. A warm-up burst first, then `--events` webhooks to one webhook
 * destination without a rate limit; counted from the end of the warm-up until all are delivered.
 * Run: npm run bench:verify-cost [-- --events=2000]
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { arg, freePort, freshDatabase, run, sendAll, startHub, waitDelivered } from './support/hub';
import { startVposEmulator } from '../sandbox/vpos/vpos-emulator';
import { WebhookReceiver } from '../sandbox/webhook-receiver/webhook-receiver';

const EVENTS = arg('events', 2000);
const WARMUP = arg('warmup', 100);
const DB = 'vpos_hub_bench_cost';
const PRELOAD = path.join(__dirname, 'support', 'pg-count.cjs');

interface Counts {
  roundTrips: number;
  notifications: number;
  statements: Record<string, number>;
}

const cpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

async function counts(hub: ChildProcess, file: string): Promise<Counts> {
  rmSync(file, { force: true });
  hub.kill('SIGWINCH');
  for (let i = 0; i < 50; i++) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Counts;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`no counts from ${hub.pid}`);
}

function redisStats(port: number): Map<string, number> {
  const out = spawnSync('redis-cli', [
    '-p',
    String(port),
    'INFO',
    'commandstats',
  ]).stdout.toString();
  return new Map([...out.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

async function main(): Promise<void> {
  const redisPort = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const dbUrl = await freshDatabase(DB);
  const receiver = await new WebhookReceiver().start();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const vpos = await startVposEmulator({ apiToken: 'bench-token', webhookSecret: secret });
  const common = {
    DATABASE_URL: dbUrl,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    QUEUE_PREFIX: 'cost',
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    VPOS_WEBHOOK_SECRETS: secret,
    VPOS_API_BASE_URL: vpos.url,
    VPOS_API_TOKEN: 'bench-token',
    CONNECTOR_INSECURE_HOSTS: receiver.hostPort,
    LOG_LEVEL: 'warn',
    NODE_OPTIONS: `--require ${PRELOAD}`,
  };
  const files = { api: `/tmp/${DB}-api.json`, worker: `/tmp/${DB}-worker.json` };
  const [apiPort, workerPort] = [await freePort(), await freePort()];
  const api = await startHub({
    ...common,
    APP_ROLE: 'api',
    PORT: String(apiPort),
    PGCOUNT_FILE: files.api,
  });
  const worker = await startHub({
    ...common,
    APP_ROLE: 'worker',
    PORT: String(workerPort),
    PGCOUNT_FILE: files.worker,
  });
  vpos.setWebhookUrl(`http://127.0.0.1:${apiPort}/webhooks/vpos`);
  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  await db.query(
    `INSERT INTO connections (type, display_name, mode, settings) VALUES ('webhook', 'cost', 'webhook', $1)`,
    [JSON.stringify({ url: receiver.url, batchSize: 50 })],
  );
  const paid = (n: number, tag: string) =>
    Array.from({ length: n }, (_, i) => {
      const s = vpos.createSession({
        merchantOrderId: `${tag}-${i}-${randomBytes(3).toString('hex')}`,
        amountMinor: 1_000_000 + i,
        currency: 'AMD',
        metadata: {},
      });
      return vpos.setStatus(s.id, 'paid', { webhook: { suppress: true } }).event.id;
    });

  const warm = paid(WARMUP, 'warm');
  await sendAll(vpos, warm, 16);
  await waitDelivered(db, WARMUP, Date.now(), 120);
  await new Promise((r) => setTimeout(r, 3000));

  const backends = async () =>
    (
      await db.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [DB],
      )
    ).rows.map((r) => r.pid);
  const pgCpu = (pids: number[]) =>
    pids.reduce((sum, pid) => {
      try {
        return sum + cpuMs(pid);
      } catch {
        return sum;
      }
    }, 0);
  const xacts = async () =>
    Number(
      (await db.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = $1`, [DB])).rows[0]
        .xact_commit,
    );
  const pids = await backends();
  const before = {
    api: await counts(api, files.api),
    worker: await counts(worker, files.worker),
    redis: redisStats(redisPort),
    cpu: { api: cpuMs(api.pid!), worker: cpuMs(worker.pid!), pg: pgCpu(pids) },
    xacts: await xacts(),
  };

  const events = paid(EVENTS, 'cost');
  const waits = new Map<string, number>();
  let samples = 0;
  let sampling = false;
  const sampler = setInterval(() => {
    if (sampling) return;
    sampling = true;
    void db
      .query<{ w: string; n: number }>(
        `SELECT wait_event_type || ':' || wait_event AS w, count(*)::int AS n FROM pg_stat_activity
         WHERE datname = $1 AND state = 'active' AND wait_event_type IN ('Lock', 'LWLock', 'IO')
         GROUP BY 1`,
        [DB],
      )
      .then(({ rows }) => {
        samples++;
        for (const r of rows) waits.set(r.w, (waits.get(r.w) ?? 0) + r.n);
      })
      .finally(() => (sampling = false));
  }, 50);
  const t0 = Date.now();
  await sendAll(vpos, events, 32);
  const { delivered } = await waitDelivered(db, WARMUP + EVENTS, t0, 600);
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 3000));
  const morePids = (await backends()).filter((p) => !pids.includes(p));
  const after = {
    api: await counts(api, files.api),
    worker: await counts(worker, files.worker),
    redis: redisStats(redisPort),
    cpu: { api: cpuMs(api.pid!), worker: cpuMs(worker.pid!), pg: pgCpu(pids) },
    xacts: await xacts(),
  };

  const per = (n: number) => (n / EVENTS).toFixed(2);
  const row = (label: string, value: string) => console.log(`${label.padEnd(34)}${value}`);
  console.log(
    `verify-cost: ${EVENTS} paid events after ${WARMUP} warm-up, delivered ${delivered - WARMUP}`,
  );
  for (const role of ['api', 'worker'] as const) {
    row(`${role} SQL round trips / event`, per(after[role].roundTrips - before[role].roundTrips));
    row(`${role} CPU ms / event`, per(after.cpu[role] - before.cpu[role]));
  }
  row(
    'worker NOTIFY wake-ups / event',
    per(after.worker.notifications - before.worker.notifications),
  );
  row(
    'postgres CPU ms / event',
    `${per(after.cpu.pg - before.cpu.pg)} (${pids.length} backends; ${morePids.length} opened later not counted)`,
  );
  row('transactions committed / event', per(after.xacts - before.xacts));
  const redisTotal = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  row('redis commands / event', per(redisTotal(after.redis) - redisTotal(before.redis)));
  const top = (
    a: Map<string, number> | Record<string, number>,
    b: Map<string, number> | Record<string, number>,
  ) => {
    const [ma, mb] = [a, b].map((m) => (m instanceof Map ? m : new Map(Object.entries(m))));
    return [...ma]
      .map(([k, v]) => [k, v - (mb.get(k) ?? 0)] as const)
      .filter(([, v]) => v > 0)
      .sort((x, y) => y[1] - x[1]);
  };
  console.log(`\nbackends waiting, mean of ${samples} samples (every 50 ms)`);
  for (const [k, v] of [...waits].sort((a, b) => b[1] - a[1]).slice(0, 6))
    row(`  ${k}`, (v / Math.max(1, samples)).toFixed(2));
  console.log('\nredis commands per event');
  for (const [k, v] of top(after.redis, before.redis).slice(0, 12)) row(`  ${k}`, per(v));
  for (const role of ['api', 'worker'] as const) {
    console.log(`\n${role} statements per event`);
    for (const [k, v] of top(after[role].statements, before[role].statements).slice(0, 25))
      console.log(`  ${per(v).padStart(6)}  ${k}`);
  }
  await db.end();
  await vpos.close();
  await receiver.close();
  redis.kill();
}

run(main);
