/* The whole hub for the end-to-end benches: VPOS emulator, api and worker processes, paid orders. */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startVposEmulator, VposEmulator } from '../../sandbox/vpos/vpos-emulator';
import {
  deliveryStats,
  freePort,
  freshDatabase,
  peakRssMb,
  sendAll,
  startHub,
  waitDelivered,
} from './hub';

export const RSS_TARGET_MB = 200;

export interface Pipeline {
  api: string;
  db: Client;
  vpos: VposEmulator;
  worker: ChildProcess;
  /** POST /api/connections as an admin; throws unless 201. */
  addConnection(body: object): Promise<string>;
  /** PATCH /api/connections/:id as an admin; throws unless 200. */
  patchConnection(id: string, body: object): Promise<void>;
  /** Paid sessions whose webhooks are held back; returns their event ids. */
  paidEvents(
    count: number,
    order: (i: number) => { orderId: string; metadata?: Record<string, unknown> },
  ): string[];
  close(): Promise<void>;
}

/** A fresh database, the VPOS emulator, and an api and a worker process wired to them. */
export async function startPipeline(database: string, env: Record<string, string>) {
  const dbUrl = await freshDatabase(database);
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const vpos = await startVposEmulator({
    apiToken: 'bench-token',
    webhookSecret: secret,
    webhookRetryDelaysMs: [1000, 5000],
  });
  const [apiPort, workerPort] = [await freePort(), await freePort()];
  const adminToken = randomBytes(24).toString('hex');
  const common = {
    DATABASE_URL: dbUrl,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
    ADMIN_TOKEN: adminToken,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    VPOS_WEBHOOK_SECRETS: secret,
    VPOS_API_BASE_URL: vpos.url,
    VPOS_API_TOKEN: 'bench-token',
    LOG_LEVEL: 'warn',
    ...env,
  };
  await startHub({ ...common, APP_ROLE: 'api', PORT: String(apiPort) });
  // V8 flags to try on the worker alone, e.g. BENCH_WORKER_NODE_OPTIONS=--max-semi-space-size=4.
  const flags = process.env.BENCH_WORKER_NODE_OPTIONS;
  const worker = await startHub({
    ...common,
    APP_ROLE: 'worker',
    PORT: String(workerPort),
    ...(flags ? { NODE_OPTIONS: flags } : {}),
  });
  const api = `http://127.0.0.1:${apiPort}`;
  vpos.setWebhookUrl(`${api}/webhooks/vpos`);
  const db = new Client({ connectionString: dbUrl });
  await db.connect();

  const pipeline: Pipeline = {
    api,
    db,
    vpos,
    worker,
    addConnection: async (body) => {
      const res = await fetch(`${api}/api/connections`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 201)
        throw new Error(`connection refused: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    },
    patchConnection: async (id, body) => {
      const res = await fetch(`${api}/api/connections/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`patch refused: ${res.status} ${await res.text()}`);
    },
    paidEvents: (count, order) =>
      Array.from({ length: count }, (_, i) => {
        const { orderId, metadata } = order(i);
        const s = vpos.createSession({
          merchantOrderId: orderId,
          amountMinor: 1_000_000 + i,
          currency: 'AMD',
          metadata: metadata ?? {},
        });
        return vpos.setStatus(s.id, 'paid', { webhook: { suppress: true } }).event.id;
      }),
    close: async () => {
      await db.end();
      await vpos.close();
    },
  };
  return pipeline;
}

/** A distinct order id for this run. */
export function orderId(prefix: string, i: number): string {
  return `${prefix}-${i}-${randomBytes(3).toString('hex')}`;
}

/** Connector calls made (each attempt's audit row is one item of a call of batchSize items). */
export async function connectorCalls(db: Client): Promise<number> {
  const { rows } = await db.query<{ calls: number }>(
    `SELECT coalesce(sum(1.0 / (data->>'batchSize')::int), 0)::float AS calls
     FROM audit_log WHERE kind = 'delivery.attempt'`,
  );
  return rows[0].calls;
}

/**
 * Sends every webhook, `concurrency` at a time; the clock starts with the first. With `backlog`
 * the connection's deliveries are held (parked) until every one exists, then released at once,
 * and the clock starts at the release: the delivery engine alone, whatever verification's speed.
 */
export async function sendBurst(
  p: Pipeline,
  eventIds: string[],
  concurrency: number,
  backlog?: { connectionId: string },
) {
  if (backlog) {
    await p.db.query(`UPDATE connections SET status = 'needs_reconnect' WHERE id = $1`, [
      backlog.connectionId,
    ]);
  }
  const t0 = Date.now();
  await sendAll(p.vpos, eventIds, concurrency);
  const sentS = (Date.now() - t0) / 1000;
  if (!backlog) return { t0, sentS };
  for (;;) {
    const { rows } = await p.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM deliveries WHERE status = 'parked'`,
    );
    if (rows[0].n >= eventIds.length) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(
    `backlog: ${eventIds.length} deliveries held after ${((Date.now() - t0) / 1000).toFixed(1)} s; released now`,
  );
  const released = Date.now();
  await p.patchConnection(backlog.connectionId, { status: 'active' });
  return { t0: released, sentS };
}

export function line(label: string, value: string): void {
  console.log(`${label.padEnd(26)}${value}`);
}

export const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

/**
 * Waits for a burst's deliveries and prints what every burst bench prints: send time, when all
 * deliveries existed, delivered against the target, retries and deaths, worker peak RSS.
 */
export async function burstReport(
  p: Pipeline,
  burst: { events: number; t0: number; sentS: number; timeoutS: number; targetS: number },
  limitCodes: string[],
  requests?: { label: string; count: () => number; detail?: () => string },
): Promise<{ totalS: number; delivered: number; retried: number; limited: number; dead: number }> {
  const { events, t0, sentS, timeoutS, targetS } = burst;
  const { delivered, createdAt } = await waitDelivered(p.db, events, t0, timeoutS);
  const totalS = (Date.now() - t0) / 1000;
  const stats = await deliveryStats(p.db, limitCodes);
  const rss = peakRssMb(p.worker.pid!);
  console.log('');
  line('webhooks sent', `${events} in ${sentS.toFixed(1)} s`);
  line('all deliveries created', createdAt ? `${((createdAt - t0) / 1000).toFixed(1)} s` : 'no');
  line(
    'delivered',
    `${delivered} / ${events} in ${totalS.toFixed(1)} s  (target ≤ ${targetS} s: ${verdict(delivered >= events && totalS <= targetS)})`,
  );
  line(
    'deliveries retried',
    `${stats.retried} (rate-limit errors on ${stats.limited}), dead ${stats.dead}  (target 0 failed by rate limiting: ${verdict(stats.dead === 0 && stats.limited === 0)})`,
  );
  line(
    'worker peak RSS',
    `${rss.toFixed(0)} MB  (target ≤ ${RSS_TARGET_MB} MB: ${verdict(rss <= RSS_TARGET_MB)})`,
  );
  if (requests) {
    const n = requests.count();
    const detail = requests.detail ? ` (${requests.detail()})` : '';
    line(requests.label, `${n} = ${(n / events).toFixed(4)} per order${detail}`);
    const calls = await connectorCalls(p.db);
    line(
      'connector calls',
      `${Math.round(calls)} (mean ${(events / Math.max(1, calls)).toFixed(0)} orders per call)`,
    );
  }
  return { totalS, delivered, ...stats };
}
