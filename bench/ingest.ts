/**
 * bench/ingest: sustained signed-webhook intake of the hub, its ack latency at a fixed arrival
 * rate, and pgbench's rate for the equivalent raw-event-plus-outbox transaction, in one run.
 * See bench/README.md. Run: npm run bench:ingest [-- --duration=15 --concurrency=32 ...]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { printProfile, summarizeProfile } from './ingest/cpuprofile-top';
import { CpuMeter, CpuShares, describeCpu } from './ingest/cpu';
import {
  acceptedTotal,
  closedLoop,
  ClosedLoopResult,
  openLoop,
  OpenLoopResult,
  postWebhook,
  newAgent,
  Outcome,
  OutcomeTally,
  SignedWebhook,
  Target,
  WebhookFactory,
} from './ingest/load';
import {
  buildHub,
  distStaleReason,
  freshDatabase,
  httpGet,
  HubProcess,
  killAllChildren,
  PgbenchResult,
  queryOnce,
  ROOT,
  run,
  runPgbench,
  startHub,
} from './ingest/processes';
import { fmtMs, fmtNum, fmtPct, summarize } from './ingest/stats';

const USAGE = `usage: npm run bench:ingest -- [options]
  (each option can also come from env BENCH_<NAME>, e.g. BENCH_DURATION=30)
  --duration=15          phase 1 measured seconds (closed loop)
  --warmup=3             phase 1 warm-up seconds, not counted
  --concurrency=32       phase 1 concurrent keep-alive connections
  --rate=500             phase 2 arrival rate, webhooks/s (open loop)
  --latency-duration=20  phase 2 seconds
  --max-sockets=256      phase 2 connection cap (requests beyond it wait in the client)
  --timeout-ms=10000     per-request timeout (counts as an error)
  --pgbench-clients=8,20 pgbench client counts (the ratio uses --pool-size, else the best)
  --pgbench-seconds=15   pgbench -T
  --pool-size=20         the hub's PostgreSQL pool (poolSize in src/database/data-source.ts)
  --database=vpos_hub_bench  dropped and recreated on every run
  --pg-url=postgres://postgres@127.0.0.1:5432   PostgreSQL server (database part ignored)
  --redis-url=redis://127.0.0.1:6379
  --build=auto|always|never  npx nest build when dist is missing or older than src (auto)
  --hub-url=URL          bench an already running hub (env HUB_URL); needs --secret
  --secret=whsec_...     its webhook secret (env HUB_WEBHOOK_SECRET / VPOS_WEBHOOK_SECRETS)
  --hub-main=dist/src/main.js  the hub entry to start (e.g. a patched copy, for A/B runs)
  --hub-node-args="..."  extra node flags for the started hub, e.g. "--max-old-space-size=512"
  --profile              CPU-profile the started hub (.bench/prof) and print where its time went
  --hub-log=.bench/hub.log   the started hub's stdout+stderr
  --log-level=info       the started hub's LOG_LEVEL (info is production; others for diagnosis)
  --check                exit 3 when a target is missed`;

interface Options {
  duration: number;
  warmup: number;
  concurrency: number;
  rate: number;
  latencyDuration: number;
  maxSockets: number;
  timeoutMs: number;
  pgbenchClients: number[];
  pgbenchSeconds: number;
  poolSize: number;
  database: string;
  pgUrl: string;
  redisUrl: string;
  build: 'auto' | 'always' | 'never';
  hubUrl?: string;
  secret?: string;
  hubNodeArgs: string[];
  hubMain: string;
  hubLog: string;
  logLevel: string;
  profile: boolean;
  check: boolean;
}

function readArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}\n${USAGE}`);
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out.set(a.slice(2), argv[++i]);
    else out.set(a.slice(2), 'true');
  }
  return out;
}

/** The hub's default pool size, read (not imported) from its data source; 20 when not found. */
function hubPoolSize(): number {
  try {
    const text = readFileSync(path.join(ROOT, 'src/database/data-source.ts'), 'utf8');
    return Number(/poolSize\s*=\s*(\d+)/.exec(text)?.[1] ?? 20);
  } catch {
    return 20;
  }
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const args = readArgs(argv);
  if (args.has('help')) {
    console.log(USAGE);
    process.exit(0);
  }
  const known = new Set(USAGE.match(/--[a-z-]+/g)?.map((f) => f.slice(2)));
  for (const k of args.keys())
    if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  const raw = (name: string, ...envNames: string[]) => {
    const fromArg = args.get(name);
    if (fromArg !== undefined) return fromArg;
    for (const e of [`BENCH_${name.toUpperCase().replace(/-/g, '_')}`, ...envNames]) {
      if (env[e]) return env[e];
    }
    return undefined;
  };
  const num = (name: string, def: number, min: number, max: number) => {
    const v = raw(name);
    const n = v === undefined ? def : Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new Error(`--${name} must be a number from ${min} to ${max} (got ${v})`);
    }
    return n;
  };
  const build = raw('build') ?? 'auto';
  if (build !== 'auto' && build !== 'always' && build !== 'never') {
    throw new Error('--build must be auto, always or never');
  }
  const clients = (raw('pgbench-clients') ?? '8,20').split(',').map((c) => Number(c.trim()));
  if (clients.length === 0 || clients.some((c) => !Number.isInteger(c) || c < 1 || c > 90)) {
    throw new Error('--pgbench-clients must be a comma list of integers from 1 to 90');
  }
  const hubUrl = raw('hub-url', 'HUB_URL')?.replace(/\/+$/, '');
  const secret =
    raw('secret', 'HUB_WEBHOOK_SECRET') ??
    (hubUrl ? env.VPOS_WEBHOOK_SECRETS?.split(',')[0]?.trim() : undefined);
  if (hubUrl && !secret) throw new Error('--hub-url needs --secret (the hub webhook secret)');
  if (secret && !/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) {
    throw new Error('--secret must be whsec_<base64>');
  }
  const database = raw('database') ?? 'vpos_hub_bench';
  if (!/^[a-z0-9_]+$/.test(database)) throw new Error('--database: lower-case letters, digits, _');
  const pgUrl = raw('pg-url') ?? 'postgres://postgres@127.0.0.1:5432';
  const redisUrl = raw('redis-url') ?? 'redis://127.0.0.1:6379';
  for (const [name, url] of [
    ['hub-url', hubUrl],
    ['pg-url', pgUrl],
    ['redis-url', redisUrl],
  ] as const) {
    if (url && !isLoopback(url)) throw new Error(`--${name} must point at this machine (loopback)`);
  }
  const flag = (name: string) => {
    const v = raw(name);
    return v !== undefined && v !== 'false' && v !== '0';
  };
  return {
    duration: num('duration', 15, 1, 120),
    warmup: num('warmup', 3, 0, 60),
    concurrency: num('concurrency', 32, 1, 1024),
    rate: num('rate', 500, 1, 20_000),
    latencyDuration: num('latency-duration', 20, 1, 120),
    maxSockets: num('max-sockets', 256, 1, 4096),
    timeoutMs: num('timeout-ms', 10_000, 100, 60_000),
    pgbenchClients: clients,
    pgbenchSeconds: num('pgbench-seconds', 15, 1, 120),
    poolSize: num('pool-size', hubPoolSize(), 1, 1000),
    database,
    pgUrl,
    redisUrl,
    build,
    hubUrl,
    secret,
    hubNodeArgs: (raw('hub-node-args') ?? '').split(/\s+/).filter(Boolean),
    hubMain: path.resolve(ROOT, raw('hub-main') ?? 'dist/src/main.js'),
    hubLog: path.resolve(ROOT, raw('hub-log') ?? '.bench/hub.log'),
    logLevel: raw('log-level') ?? 'info',
    profile: flag('profile'),
    check: flag('check'),
  };
}

interface HubMetrics {
  ackSum: number;
  ackCount: number;
  cpuSeconds: number;
}

/** The hub's own Prometheus numbers (public /metrics), or undefined when unavailable. */
async function scrapeHub(url: string): Promise<HubMetrics | undefined> {
  try {
    const res = await httpGet(`${url}/metrics`, 2000);
    if (res.status !== 200) return undefined;
    const val = (name: string) => {
      const m = new RegExp(`^${name}(?:\\{\\})? ([\\d.e+-]+)$`, 'm').exec(res.body);
      return m ? Number(m[1]) : NaN;
    };
    return {
      ackSum: val('vposhub_webhook_ack_seconds_sum'),
      ackCount: val('vposhub_webhook_ack_seconds_count'),
      cpuSeconds: val('process_cpu_seconds_total'),
    };
  } catch {
    return undefined;
  }
}

function handlerMeanMs(a?: HubMetrics, b?: HubMetrics): number {
  if (!a || !b) return NaN;
  const n = b.ackCount - a.ackCount;
  return n > 0 ? ((b.ackSum - a.ackSum) / n) * 1000 : NaN;
}

/** One webhook on its own connection. */
function postOnce(target: Target, hook: SignedWebhook, timeoutMs: number): Promise<Outcome> {
  const agent = newAgent(1);
  return new Promise<Outcome>((resolve) =>
    postWebhook(agent, target, hook, timeoutMs, (o) => {
      agent.destroy();
      resolve(o);
    }),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU use and the hub's own metrics over a window that begins `delayMs` from now. */
function measureWindow(
  hubPid: number | undefined,
  hubUrl: string,
  database: string,
  delayMs: number,
  lengthMs: number,
): Promise<{ cpu: CpuShares; handlerMs: number }> {
  return new Promise((resolve) => {
    setTimeout(() => {
      const meter = new CpuMeter({ hubPid, database });
      const started = performance.now();
      const before = scrapeHub(hubUrl);
      setTimeout(() => {
        const seconds = (performance.now() - started) / 1000;
        void Promise.all([before, scrapeHub(hubUrl)]).then(([ma, mb]) => {
          const hubCpu =
            hubPid === undefined && ma && mb
              ? (mb.cpuSeconds - ma.cpuSeconds) / seconds
              : undefined;
          resolve({ cpu: meter.stop(hubCpu), handlerMs: handlerMeanMs(ma, mb) });
        });
      }, lengthMs);
    }, delayMs);
  });
}

function line(label: string, value: string): void {
  console.log(`  ${label.padEnd(30)} ${value}`);
}

function mark(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

function errorsLine(tally: OutcomeTally, stuck: number): void {
  line('errors (non-2xx, network)', tally.describe() + (stuck ? `, ${stuck} unanswered` : ''));
  if (tally.notAccepted) line('2xx but not "accepted"', String(tally.notAccepted));
  for (const s of tally.samples) line('  e.g.', s);
}

interface Context {
  opts: Options;
  target: Target;
  baseUrl: string;
  hubPid?: number;
  factory: WebhookFactory;
}

async function phase1(ctx: Context) {
  const { opts } = ctx;
  console.log(
    `\nphase 1: max sustained intake, closed loop, ${opts.concurrency} keep-alive connections, ` +
      `${opts.warmup} s warm-up + ${opts.duration} s`,
  );
  const window = measureWindow(
    ctx.hubPid,
    ctx.baseUrl,
    opts.database,
    opts.warmup * 1000,
    opts.duration * 1000,
  );
  const res: ClosedLoopResult = await closedLoop(ctx.target, ctx.factory, {
    concurrency: opts.concurrency,
    warmupMs: opts.warmup * 1000,
    durationMs: opts.duration * 1000,
    timeoutMs: opts.timeoutMs,
  });
  const w = await window;
  const l = summarize(res.latency);
  const answered = fmtNum(res.completed);
  line('intake', `${fmtNum(res.okThroughput)} webhooks/s (2xx), ${answered} answered`);
  errorsLine(res.tally, res.stuck);
  if (res.outside.errors) line('errors in warm-up/drain', res.outside.describe());
  const service = `p50 ${fmtMs(l.p50)} ms, p99 ${fmtMs(l.p99)} ms, max ${fmtMs(l.max)} ms`;
  line('service time under load', service);
  line('hub handler time (mean)', `${fmtMs(w.handlerMs)} ms (vposhub_webhook_ack_seconds)`);
  line('cpu', describeCpu(w.cpu, ['generator', 'hub']));
  return { res, latency: l, cpu: w.cpu, handlerMs: w.handlerMs };
}

async function phase2(ctx: Context) {
  const { opts } = ctx;
  console.log(
    `\nphase 2: ack latency, open loop at ${opts.rate}/s for ${opts.latencyDuration} s ` +
      `(from scheduled send time; up to ${opts.maxSockets} connections)`,
  );
  const lengthMs = opts.latencyDuration * 1000;
  const window = measureWindow(ctx.hubPid, ctx.baseUrl, opts.database, 0, lengthMs);
  const res: OpenLoopResult = await openLoop(ctx.target, ctx.factory, {
    rate: opts.rate,
    durationMs: lengthMs,
    timeoutMs: opts.timeoutMs,
    maxSockets: opts.maxSockets,
  });
  const w = await window;
  const l = summarize(res.latency);
  const lag = summarize(res.sendLag);
  const answered = `${fmtNum(res.completed)}/${fmtNum(res.scheduled)} answered`;
  line(
    'achieved',
    `${fmtNum(res.achievedRate, 1)} webhooks/s 2xx (${answered}, max ${res.maxInFlight} in flight)`,
  );
  errorsLine(res.tally, res.stuck);
  line(
    'ack latency',
    `p50 ${fmtMs(l.p50)}  p90 ${fmtMs(l.p90)}  p99 ${fmtMs(l.p99)}  ` +
      `p99.9 ${fmtMs(l.p999)}  max ${fmtMs(l.max)} ms`,
  );
  line('generator send lag', `p99 ${fmtMs(lag.p99)} ms, max ${fmtMs(lag.max)} ms (its own)`);
  line('hub handler time (mean)', `${fmtMs(w.handlerMs)} ms`);
  line('cpu', describeCpu(w.cpu, ['generator', 'hub']));
  return { res, latency: l, sendLag: lag, cpu: w.cpu, handlerMs: w.handlerMs };
}

/** Every accepted webhook must be a durable row with its outbox and audit entries. */
async function checkRows(databaseUrl: string, factory: WebhookFactory, hubLog: string) {
  const [r] = await queryOnce<{ events: string; outbox: string; audit: string }>(
    databaseUrl,
    `SELECT (SELECT count(*) FROM webhook_events WHERE provider_event_id LIKE $1) AS events,
            (SELECT count(*) FROM outbox) AS outbox,
            (SELECT count(*) FROM audit_log WHERE kind = 'webhook.received') AS audit`,
    [`${factory.eventIdPrefix}%`],
  );
  const rows = { events: Number(r.events), outbox: Number(r.outbox), audit: Number(r.audit) };
  const accepted = acceptedTotal();
  const ok = rows.events === accepted && rows.outbox === accepted && rows.audit === accepted;
  console.log();
  line(
    'rows check',
    `${fmtNum(accepted)} accepted acks -> ${fmtNum(rows.events)} webhook_events, ` +
      `${fmtNum(rows.outbox)} outbox, ${fmtNum(rows.audit)} audit_log ` +
      (ok ? '(match)' : '(MISMATCH)'),
  );
  let logBytes = 0;
  try {
    logBytes = statSync(hubLog).size;
  } catch {
    // no log
  }
  const perRequest = fmtNum(logBytes / Math.max(1, factory.made));
  line('hub log', `${fmtNum(logBytes / 1e6, 1)} MB (${perRequest} bytes/request)`);
  return { ...rows, accepted, ok };
}

function printNewestProfile(profileDir: string, since: number): void {
  const newest = readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(profileDir, f))
    .filter((f) => statSync(f).mtimeMs >= since)
    .sort((x, y) => statSync(y).mtimeMs - statSync(x).mtimeMs)[0];
  if (!newest) {
    console.log('\nhub CPU profile: not written');
    return;
  }
  console.log(`\nhub CPU profile: ${path.relative(ROOT, newest)}`);
  printProfile(summarizeProfile(newest));
}

async function phase3(opts: Options, databaseUrl: string, runId: string) {
  console.log(
    `\nphase 3: pgbench -n -f bench/pgbench-intake.sql -j 2 -T ${opts.pgbenchSeconds} ` +
      `${opts.database} (BEGIN; webhook_events row; outbox row; COMMIT)`,
  );
  const results: (PgbenchResult & { cpu: CpuShares })[] = [];
  let failed = false;
  for (const clients of opts.pgbenchClients) {
    const meter = new CpuMeter({ database: opts.database, countChildren: true });
    try {
      const r = await runPgbench({
        databaseUrl,
        script: path.join(ROOT, 'bench/pgbench-intake.sql'),
        clients,
        jobs: 2,
        seconds: opts.pgbenchSeconds,
        runId: `${runId}c${clients}`,
      });
      const cpu = meter.stop();
      results.push({ ...r, cpu });
      line(
        `-c ${clients}`,
        `${fmtNum(r.tps)} tps, latency avg ${fmtMs(r.latencyAvgMs)} ms, failed ${r.failed}; ` +
          describeCpu(cpu, ['pgbench']),
      );
    } catch (err) {
      meter.stop();
      failed = true;
      line(`-c ${clients}`, `FAILED: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { results, failed };
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2), process.env);
  const benchDir = path.join(ROOT, '.bench');
  mkdirSync(benchDir, { recursive: true });
  const profileDir = path.join(benchDir, 'prof');
  if (opts.profile) mkdirSync(profileDir, { recursive: true });
  const cores = os.availableParallelism();
  const began = Date.now();

  console.log('bench/ingest: VPOS webhook intake vs pgbench');
  const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
  line('machine', `${cores} cores (${cpuModel}), node ${process.version}`);

  if (opts.build !== 'never') {
    const why = opts.build === 'always' ? 'forced (--build=always)' : distStaleReason();
    if (why) {
      console.log(`  building the hub: ${why}`);
      line('npx nest build', `${(await buildHub()).toFixed(1)} s`);
    }
  }

  const pgbenchVersion = await run('pgbench', ['--version'], { timeoutMs: 10_000 }).catch(
    (err: Error) => ({ code: -1, stdout: '', stderr: err.message }),
  );
  if (pgbenchVersion.code !== 0) {
    throw new Error(
      `pgbench is not runnable (${pgbenchVersion.stderr.trim()}); install the PostgreSQL client ` +
        'tools (Debian: apt-get install postgresql-client)',
    );
  }

  const databaseUrl = await freshDatabase(opts.pgUrl, opts.database);
  const [pg] = await queryOnce<Record<string, string>>(
    databaseUrl,
    `SELECT current_setting('server_version') AS version,
            current_setting('synchronous_commit') AS sync,
            current_setting('fsync') AS fsync,
            current_setting('shared_buffers') AS buffers`,
  );
  const pgbenchRelease = /\d+(\.\d+)+/.exec(pgbenchVersion.stdout)?.[0] ?? '?';
  line('postgresql', `${pg.version}, pgbench ${pgbenchRelease}, database ${opts.database} (fresh)`);
  line(
    'postgresql settings',
    `synchronous_commit=${pg.sync}, fsync=${pg.fsync}, shared_buffers=${pg.buffers}`,
  );

  const secret = opts.secret ?? `whsec_${randomBytes(32).toString('base64')}`;
  let hub: HubProcess | undefined;
  const stopHub = async () => {
    const h = hub;
    hub = undefined;
    if (h) await h.stop();
  };
  try {
    if (!opts.hubUrl) {
      hub = await startHub({
        databaseUrl,
        redisUrl: opts.redisUrl,
        secret,
        logPath: opts.hubLog,
        workDir: benchDir,
        nodeArgs: opts.hubNodeArgs,
        main: opts.hubMain,
        startTimeoutMs: 30_000,
        profileDir: opts.profile ? profileDir : undefined,
        logLevel: opts.logLevel,
      });
      const extras = [
        ...(opts.hubNodeArgs.length ? [`node ${opts.hubNodeArgs.join(' ')}`] : []),
        ...(opts.profile ? ['--cpu-prof'] : []),
        ...(opts.hubMain !== path.join(ROOT, 'dist/src/main.js') ? [opts.hubMain] : []),
      ];
      line(
        'hub',
        `pid ${hub.pid}, ${hub.url}, APP_ROLE=api, LOG_LEVEL=${opts.logLevel}, ` +
          `logs -> ${path.relative(ROOT, hub.logPath)}${extras.map((e) => `, ${e}`).join('')}`,
      );
    } else {
      line('hub', `${opts.hubUrl} (already running; not restarted)`);
    }
    const baseUrl = hub?.url ?? opts.hubUrl;
    if (!baseUrl) throw new Error('no hub to benchmark');
    const u = new URL(baseUrl);
    const ctx: Context = {
      opts,
      baseUrl,
      hubPid: hub?.pid,
      factory: new WebhookFactory(secret),
      target: {
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: Number(u.port || 80),
        path: `${u.pathname.replace(/\/+$/, '')}/webhooks/vpos`,
      },
    };

    // A single signed webhook first: a wrong secret or route fails here, not 20 000 times.
    const first = await postOnce(ctx.target, ctx.factory.next(), opts.timeoutMs);
    if (!first.accepted) {
      const why = `${first.status || first.error} ${first.body ?? ''}`;
      throw new Error(`the preflight webhook was not accepted: ${why}`);
    }

    const p1 = await phase1(ctx);
    await sleep(1000);
    const p2 = await phase2(ctx);

    let rows: Awaited<ReturnType<typeof checkRows>> | undefined;
    if (hub) {
      rows = await checkRows(databaseUrl, ctx.factory, hub.logPath);
      // pgbench gets the machine to itself.
      await stopHub();
      if (opts.profile) printNewestProfile(profileDir, began);
    }

    const p3 = await phase3(opts, databaseUrl, ctx.factory.runId);

    // Summary.
    const intake = p1.res.okThroughput;
    const pgb = p3.results;
    const ref: PgbenchResult | undefined =
      pgb.find((r) => r.clients === opts.poolSize) ?? [...pgb].sort((x, y) => y.tps - x.tps)[0];
    const best = pgb.length ? Math.max(...pgb.map((r) => r.tps)) : NaN;
    const ratio = ref ? intake / ref.tps : NaN;
    const p1Errors = p1.res.tally.errors + p1.res.outside.errors + p1.res.stuck;
    const ratioOk = ratio >= 1.0 && p1Errors === 0;
    const p99 = p2.latency.p99;
    const latencyOk =
      p99 <= 50 &&
      p2.res.tally.errors === 0 &&
      p2.res.stuck === 0 &&
      p2.res.achievedRate >= opts.rate * 0.95;

    console.log(`\nsummary (${cores} cores shared by generator, hub and PostgreSQL)`);
    const p1Text = `${fmtNum(intake)} webhooks/s, ${fmtNum(p1Errors)} errors`;
    line('intake', `${p1Text} (c=${opts.concurrency})`);
    line(
      'pgbench',
      pgb.map((r) => `${fmtNum(r.tps)} tps at c=${r.clients}`).join(', ') +
        (p3.failed ? ' (some runs FAILED, see above)' : ''),
    );
    const ratioText = ref
      ? `${ratio.toFixed(2)} of c=${ref.clients} (${(intake / best).toFixed(2)} of the best)`
      : 'n/a (no pgbench result)';
    line('intake / pgbench', `${ratioText}  target >= 1.00  ${mark(ratioOk)}`);
    const achieved = `${fmtNum(p2.res.achievedRate, 1)}/s achieved`;
    line(
      `ack p99 at ${opts.rate}/s`,
      `${fmtMs(p99)} ms (${fmtNum(p2.res.tally.errors)} errors, ${achieved})  ` +
        `target <= 50 ms  ${mark(latencyOk)}`,
    );
    line(
      'generator cpu',
      `${fmtPct(p1.cpu.generator)} of a core in phase 1, ${fmtPct(p2.cpu.generator)} in phase 2`,
    );
    line('total time', `${((Date.now() - began) / 1000).toFixed(0)} s`);

    const result = {
      startedAt: new Date(began).toISOString(),
      cores,
      cpuModel,
      node: process.version,
      options: { ...opts, secret: undefined },
      postgres: pg,
      phase1: {
        concurrency: p1.res.concurrency,
        seconds: p1.res.seconds,
        intakePerSecond: intake,
        errors: p1.res.tally.errors,
        errorKinds: Object.fromEntries(p1.res.tally.byKind),
        errorsOutsideWindow: p1.res.outside.errors,
        latencyMs: p1.latency,
        handlerMeanMs: p1.handlerMs,
        cpu: p1.cpu,
      },
      phase2: {
        rate: p2.res.rate,
        seconds: p2.res.seconds,
        achievedRate: p2.res.achievedRate,
        errors: p2.res.tally.errors,
        errorKinds: Object.fromEntries(p2.res.tally.byKind),
        latencyMs: p2.latency,
        sendLagMs: p2.sendLag,
        handlerMeanMs: p2.handlerMs,
        cpu: p2.cpu,
      },
      rows,
      pgbench: pgb.map(({ output: _output, ...r }) => r),
      ratio,
      targets: { ratio: ratioOk, latency: latencyOk },
    };
    const out = path.join(benchDir, 'ingest-last.json');
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    line('results', path.relative(ROOT, out));
    if (p3.failed || (rows && !rows.ok)) return 1;
    return opts.check && !(ratioOk && latencyOk) ? 3 : 0;
  } finally {
    await stopHub();
  }
}

process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`\nbench/ingest failed: ${err instanceof Error ? err.message : String(err)}`);
    killAllChildren();
    process.exitCode = 1;
  },
);
