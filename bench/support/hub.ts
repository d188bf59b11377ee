/* Shared by the end-to-end benches: flags, a fresh migrated database, hub processes. */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Client } from 'pg';

export const ROOT = path.resolve(__dirname, '..', '..');
export const PG = 'postgres://postgres@127.0.0.1:5432';
const children: ChildProcess[] = [];

/** `--name=value` from the command line, as a number. */
export function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
}

/** Builds the hub when needed, then drops, creates and migrates `name`; returns its URL. */
export async function freshDatabase(name: string): Promise<string> {
  if (!existsSync(path.join(ROOT, 'dist/src/main.js'))) {
    spawnSync('npx', ['nest', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  const admin = new Client({ connectionString: `${PG}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = `${PG}/${name}`;
  spawnSync(process.execPath, ['dist/src/database/db-cli.js', 'migrate'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'inherit',
  });
  return url;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export function startHub(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 30000;
    const poll = async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${env.PORT}/health/live`);
        if (res.ok) return resolve(child);
      } catch {
        // not up yet
      }
      if (Date.now() > deadline || child.exitCode !== null)
        return reject(new Error('hub did not start'));
      setTimeout(() => void poll(), 200);
    };
    void poll();
  });
}

/** Peak resident set of a process (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Sends every event through VPOS's webhook dispatcher, `concurrency` at a time. */
export async function sendAll(
  vpos: { sendEvent(id: string): Promise<unknown> },
  eventIds: string[],
  concurrency: number,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < eventIds.length) await vpos.sendEvent(eventIds[next++]);
    }),
  );
}

/**
 * Polls until `expected` deliveries are delivered or `timeoutS` has passed since `t0`; says when
 * the last one was created (every event verified) and how many were delivered.
 */
export async function waitDelivered(
  db: Client,
  expected: number,
  t0: number,
  timeoutS: number,
): Promise<{ delivered: number; createdAt: number }> {
  let delivered = 0;
  let createdAt = 0;
  while (Date.now() - t0 < timeoutS * 1000) {
    const { rows } = await db.query<{ delivered: number; total: number }>(
      `SELECT count(*) FILTER (WHERE status = 'delivered')::int AS delivered, count(*)::int AS total FROM deliveries`,
    );
    delivered = rows[0].delivered;
    if (!createdAt && rows[0].total >= expected) createdAt = Date.now();
    if (delivered >= expected) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return { delivered, createdAt };
}

/** Deliveries retried, dead, and whose last error was one of the destination's limit codes. */
export async function deliveryStats(
  db: Client,
  limitCodes: string[],
): Promise<{ retried: number; dead: number; limited: number }> {
  const { rows } = await db.query<{ retried: number; dead: number; limited: number }>(
    `SELECT count(*) FILTER (WHERE attempts > 1)::int AS retried,
            count(*) FILTER (WHERE status = 'dead')::int AS dead,
            count(*) FILTER (WHERE last_error_code = ANY($1))::int AS limited
     FROM deliveries`,
    [limitCodes],
  );
  return rows[0];
}

/** Runs main, reports a failure, and kills every hub it started. */
export function run(main: () => Promise<void>): void {
  main()
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(() => {
      for (const c of children) c.kill('SIGKILL');
    });
}
