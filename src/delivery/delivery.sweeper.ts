import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { QUEUES, SCHEDULES } from '../queue/queues';
import { keepSchedules } from '../queue/schedules';
import { enqueueDeliveries } from './delivery-queue';

// Re-enqueues deliveries whose worker died (lease over) or whose job vanished (due long ago).
@Processor(QUEUES.deliverySweeps)
export class DeliverySweeper extends WorkerHost implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DeliverySweeper.name);
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;
  private stopKeeping?: () => void;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QUEUES.deliveries) private readonly queue: Queue,
    @InjectQueue(QUEUES.deliverySweeps) private readonly sweeps: Queue,
    @InjectMetric('vposhub_delivery_queue_depth') private readonly depth: Gauge<string>,
    @InjectMetric('vposhub_delivery_oldest_open_seconds') private readonly oldest: Gauge<string>,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    const every = this.config.workers.sweepIntervalMs;
    this.stopKeeping = await keepSchedules(this.sweeps, [SCHEDULES.sweepDeliveries], every, (err) =>
      this.logger.warn(`sweep schedule: ${err.message}`),
    );
    this.timer = setInterval(() => {
      this.sampling ??= this.sample()
        .catch((err: Error) => this.logger.warn(`gauge sampling failed: ${err.message}`))
        .finally(() => (this.sampling = undefined));
    }, every);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.stopKeeping?.();
    await this.sampling;
  }

  process(): Promise<number> {
    return this.sweep();
  }

  async sweep(): Promise<number> {
    // A job unseen for 20 sweeps is presumed lost (5 minutes at the default interval).
    const staleAfter = `${(this.config.workers.sweepIntervalMs * 20) / 1000} seconds`;
    const requeued = await this.ds.transaction(async (m) => {
      const rows = await m.query<{ id: string }[]>(
        `WITH swept AS (
           UPDATE deliveries SET status = 'pending', locked_until = NULL, updated_at = now()
           WHERE (status = 'in_progress' AND locked_until < now())
              OR (status IN ('pending','retry_scheduled')
                  AND next_attempt_at < now() - $1::interval AND updated_at < now() - $1::interval)
           RETURNING id
         )
         SELECT id FROM swept`,
        [staleAfter],
      );
      await enqueueDeliveries(
        m,
        rows.map((r) => r.id),
      );
      return rows.length;
    });
    if (requeued) this.logger.warn(`re-enqueued ${requeued} stalled or orphaned deliveries`);
    return requeued;
  }

  private async sample(): Promise<void> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
    for (const [state, n] of Object.entries(counts)) this.depth.set({ state }, n);
    const [row] = await this.ds.query<{ age: number | null }[]>(
      `SELECT extract(epoch FROM now() - min(created_at))::float AS age FROM deliveries
       WHERE status IN ('pending','retry_scheduled','in_progress','parked')`,
    );
    this.oldest.set(row?.age ?? 0);
  }
}
