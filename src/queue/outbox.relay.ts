import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Queue } from 'bullmq';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PgNotifications } from './pg-notifications';
import { JOBS, jobIdSql, OutboxQueueName, QUEUES } from './queues';

interface OutboxRow {
  id: string;
  queue: OutboxQueueName;
  job_name: string;
  job_id: string;
  payload: Record<string, unknown>;
  delay_ms: number;
}

const BATCH = 500;
const SWEEP_EVERY_MS = 60_000;
const GAUGE_EVERY_MS = 5_000;
const PUBLISH_TIMEOUT_MS = 5000;
const MAX_IDLE_BACKOFF_MS = 5000;
// Commits notify one by one; gathering them lets one pass publish what a burst wrote.
const NOTIFY_GATHER_MS = 10;

// Lock, publish, delete in one transaction: with Redis down it rolls back and the rows wait.
@Injectable()
export class OutboxRelay implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly queues: Record<OutboxQueueName, Queue>;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private due = false;
  private gather?: NodeJS.Timeout;
  private failures = 0;
  private lastSweep = Date.now();
  private lastGauge = 0;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QUEUES.verification) verification: Queue,
    @InjectQueue(QUEUES.deliveries) deliveries: Queue,
    @InjectQueue(QUEUES.crmLinks) crmLinks: Queue,
    @InjectQueue(QUEUES.reconciliation) reconciliation: Queue,
    @InjectMetric('vposhub_outbox_published_total') private readonly published: Counter,
    @InjectMetric('vposhub_outbox_pending') private readonly pending: Gauge,
    private readonly notifications: PgNotifications,
  ) {
    this.queues = {
      [QUEUES.verification]: verification,
      [QUEUES.deliveries]: deliveries,
      [QUEUES.crmLinks]: crmLinks,
      [QUEUES.reconciliation]: reconciliation,
    };
  }

  onModuleInit(): void {
    for (const queue of Object.values(this.queues)) {
      // Without a listener an 'error' event (Redis down) would crash the process.
      queue.on('error', (err) => this.logger.warn(`queue ${queue.name}: ${err.message}`));
    }
    this.notifications.subscribe(() => {
      this.gather ??= setTimeout(() => {
        this.gather = undefined;
        this.due = true;
        this.wake?.();
      }, NOTIFY_GATHER_MS);
    });
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    clearTimeout(this.gather);
    this.wake?.();
    await this.loop;
  }

  async drainOnce(): Promise<number> {
    return this.ds.transaction(async (m) => {
      const rows: OutboxRow[] = await m.query(
        `SELECT id, queue, job_name, job_id, payload,
           greatest(0, extract(epoch FROM available_at - now()) * 1000)::int AS delay_ms
         FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      if (rows.length === 0) return 0;
      const byQueue = new Map<OutboxQueueName, OutboxRow[]>();
      for (const row of rows) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
      for (const [name, list] of byQueue) {
        const queue = this.queues[name];
        if (!queue) throw new Error(`outbox row for unknown queue ${name}`);
        await withTimeout(
          queue.addBulk(
            list.map((r) => ({
              name: r.job_name,
              data: r.payload,
              opts: { jobId: r.job_id, ...(r.delay_ms > 0 ? { delay: r.delay_ms } : {}) },
            })),
          ),
          PUBLISH_TIMEOUT_MS,
        );
      }
      await m.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      this.published.inc(rows.length);
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      let moved = 0;
      this.due = false;
      try {
        moved = await this.drainOnce();
        if (this.failures > 0) this.logger.log('outbox relay recovered');
        this.failures = 0;
      } catch (err) {
        this.failures++;
        if (this.failures === 1 || this.failures % 50 === 0) {
          this.logger.warn(`outbox relay cannot publish yet (${(err as Error).message})`);
        }
      }
      if (moved === 0) await this.idleChores().catch(() => undefined);
      // A row committed while this pass ran may have missed its SELECT.
      if (moved === BATCH || (this.due && this.failures === 0)) continue;
      const delay =
        this.failures > 0
          ? Math.min(MAX_IDLE_BACKOFF_MS, this.config.workers.outboxPollMs * 2 ** this.failures)
          : this.config.workers.outboxPollMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async idleChores(): Promise<void> {
    if (Date.now() - this.lastGauge >= GAUGE_EVERY_MS) {
      this.lastGauge = Date.now();
      const [row] = await this.ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM outbox`);
      this.pending.set(row.n);
    }
    const staleMs = this.config.workers.unverifiedRequeueSeconds * 1000;
    if (Date.now() - this.lastSweep >= Math.min(SWEEP_EVERY_MS, staleMs / 2)) {
      this.lastSweep = Date.now();
      await this.requeueStale();
    }
  }

  // Their job vanished (Redis restarted without persistence); BullMQ ignores a job id it has.
  async requeueStale(): Promise<number> {
    const rows: unknown[] = await this.ds.query(
      `INSERT INTO outbox (queue, job_name, job_id, payload)
       SELECT $1, $2, ${jobIdSql.verifyWebhook('e.id')}, jsonb_build_object('webhookEventId', e.id)
       FROM webhook_events e
       WHERE e.status = 'received' AND e.received_at < now() - make_interval(secs => $3)
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.job_id = ${jobIdSql.verifyWebhook('e.id')})
       RETURNING id`,
      [QUEUES.verification, JOBS.verifyWebhook, this.config.workers.unverifiedRequeueSeconds],
    );
    if (rows.length) this.logger.warn(`re-queued ${rows.length} unverified webhook event(s)`);
    return rows.length;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
