/**
 * The benchmark's child processes and database: building the hub when dist is stale, a fresh
 * migrated database, the hub itself (APP_ROLE=api, info-level JSON logs to a file) and pgbench.
 * Every child is killed on exit, including when the benchmark fails or is interrupted.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';

/** The repository root: the nearest directory up with a package.json (bench/ or dist/bench/). */
function findRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '../..');
  }
}

export const ROOT = findRoot();

const children = new Set<ChildProcess>();

/** Last-resort cleanup: synchronous, so it also runs from process.on('exit'). */
export function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command to completion (SIGKILL after `timeoutMs`). */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs: number; cwd?: string; echo?: boolean },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(cmd, args, {
        cwd: opts.cwd ?? ROOT,
        env: opts.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (opts.echo) process.stdout.write(d);
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (opts.echo) process.stderr.write(d);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

function newestMtime(dir: string, filter: (name: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, filter));
    else if (filter(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Why dist needs a rebuild, or undefined when dist/src is newer than every input. */
export function distStaleReason(): string | undefined {
  const main = path.join(ROOT, 'dist/src/main.js');
  const cli = path.join(ROOT, 'dist/src/database/db-cli.js');
  if (!existsSync(main) || !existsSync(cli)) return 'dist/src is missing';
  const built = statSync(main).mtimeMs;
  const inputs = ['tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json']
    .map((f) => path.join(ROOT, f))
    .filter((f) => existsSync(f));
  const configNewest = Math.max(0, ...inputs.map((f) => statSync(f).mtimeMs));
  const srcNewest = newestMtime(path.join(ROOT, 'src'), (n) => n.endsWith('.ts'));
  if (srcNewest > built) return 'src/ changed after the last build';
  if (configNewest > built) return 'build configuration changed after the last build';
  return undefined;
}

export async function buildHub(): Promise<number> {
  const started = Date.now();
  const res = await run('npx', ['nest', 'build'], { timeoutMs: 240_000, echo: true });
  if (res.code !== 0) {
    throw new Error(`npx nest build failed (${res.timedOut ? 'timed out' : `exit ${res.code}`})`);
  }
  return (Date.now() - started) / 1000;
}

export function dbUrl(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops and recreates the benchmark database with the hub's own migrations. */
export async function freshDatabase(baseUrl: string, name: string): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsupported database name ${name}`);
  const admin = new Client({ connectionString: dbUrl(baseUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  const url = dbUrl(baseUrl, name);
  const env = { ...process.env, DATABASE_URL: url };
  for (const step of ['create', 'migrate']) {
    const res = await run(process.execPath, ['dist/src/database/db-cli.js', step], {
      env,
      timeoutMs: 60_000,
    });
    if (res.code !== 0) throw new Error(`db-cli ${step} failed: ${res.stderr || res.stdout}`);
  }
  return url;
}

/** One query on a short-lived connection. */
export async function queryOnce<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export interface HubProcess {
  pid: number;
  url: string;
  logPath: string;
  stop(): Promise<void>;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts `node dist/src/main.js` as the api role with production-like settings. Its working
 * directory is .bench/ so a developer's .env in the repository root cannot change the setup.
 */
export async function startHub(opts: {
  databaseUrl: string;
  redisUrl: string;
  secret: string;
  logPath: string;
  workDir: string;
  nodeArgs: string[];
  /** The hub's entry file (dist/src/main.js). */
  main: string;
  startTimeoutMs: number;
  /** --cpu-prof into this directory; the profile is written when stop() ends the hub. */
  profileDir?: string;
  logLevel: string;
}): Promise<HubProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TZ: process.env.TZ,
    NODE_ENV: 'production',
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: 'vposhub-bench',
    PORT: String(port),
    PUBLIC_BASE_URL: url,
    APP_ROLE: 'api',
    ADMIN_TOKEN: `bench-${Buffer.from(opts.secret).toString('hex').slice(0, 40)}`,
    ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    VPOS_WEBHOOK_SECRETS: opts.secret,
    VPOS_API_BASE_URL: 'http://127.0.0.1:9',
    VPOS_API_TOKEN: 'bench-token',
    LOG_LEVEL: opts.logLevel,
  };
  const nodeArgs = [...opts.nodeArgs];
  if (opts.profileDir) {
    // Nest's shutdown hooks re-raise SIGTERM, and a process killed by a signal writes no
    // profile; SIGUSR2 (unused by the hub) makes it exit normally instead.
    const onUsr2 = encodeURIComponent('process.on("SIGUSR2", () => process.exit(0));');
    nodeArgs.push(
      '--cpu-prof',
      `--cpu-prof-dir=${opts.profileDir}`,
      `--import=data:text/javascript,${onUsr2}`,
    );
  }
  const log = openSync(opts.logPath, 'w');
  const child = track(
    spawn(process.execPath, [...nodeArgs, opts.main], {
      cwd: opts.workDir,
      env,
      stdio: ['ignore', log, log],
    }),
  );
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(opts.profileDir ? 'SIGUSR2' : 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + opts.startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the hub exited during start-up (${child.exitCode ?? child.signalCode}); ` +
          `last log lines:\n${tail(opts.logPath)}`,
      );
    }
    try {
      const res = await httpGet(`${url}/health/live`, 1000);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `the hub did not answer /health/live in time; last log lines:\n${tail(opts.logPath)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { pid: child.pid as number, url, logPath: opts.logPath, stop };
}

export interface PgbenchResult {
  clients: number;
  tps: number;
  transactions: number;
  failed: number;
  latencyAvgMs: number;
  output: string;
}

export async function runPgbench(opts: {
  databaseUrl: string;
  script: string;
  clients: number;
  jobs: number;
  seconds: number;
  runId: string;
}): Promise<PgbenchResult> {
  const u = new URL(opts.databaseUrl);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const args = [
    '-n',
    '-f',
    opts.script,
    '-c',
    String(opts.clients),
    '-j',
    String(Math.min(opts.jobs, opts.clients)),
    '-T',
    String(opts.seconds),
    '-D',
    'seq=0',
    '-D',
    `run=${opts.runId}`,
    '-h',
    u.hostname,
    '-p',
    u.port || '5432',
    '-U',
    decodeURIComponent(u.username || 'postgres'),
    decodeURIComponent(u.pathname.slice(1)),
  ];
  const res = await run('pgbench', args, { env, timeoutMs: (opts.seconds + 30) * 1000 });
  const output = `${res.stdout}\n${res.stderr}`;
  const num = (re: RegExp) => {
    const m = re.exec(output);
    return m ? Number(m[1]) : NaN;
  };
  const tps = num(/^tps = ([\d.]+) \(without initial connection time\)/m);
  if (res.code !== 0 || !Number.isFinite(tps)) {
    throw new Error(`pgbench -c ${opts.clients} failed (exit ${res.code}):\n${output.trim()}`);
  }
  return {
    clients: opts.clients,
    tps,
    transactions: num(/number of transactions actually processed: (\d+)/),
    failed: num(/number of failed transactions: (\d+)/) || 0,
    latencyAvgMs: num(/latency average = ([\d.]+) ms/),
    output,
  };
}
