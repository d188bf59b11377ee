import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { JOBS, QUEUES, SCHEDULES } from '../queue/queues';
import { keepSchedules } from '../queue/schedules';
import { PaymentLinkScheduler } from './payment-link.scheduler';

/** Link expiry and missed-webhook recovery: one tick runs in one worker across all replicas. */
@Processor(QUEUES.linkSchedules)
export class PaymentLinkScheduleProcessor
  extends WorkerHost
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger(PaymentLinkScheduleProcessor.name);
  private stopKeeping?: () => void;

  constructor(
    private readonly scheduler: PaymentLinkScheduler,
    @InjectQueue(QUEUES.linkSchedules) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    this.stopKeeping = await keepSchedules(
      this.queue,
      [SCHEDULES.expireLinks, SCHEDULES.recoverPayments],
      this.config.links.schedulerIntervalMs,
      (err) => this.logger.warn(`link schedules: ${err.message}`),
    );
  }

  onApplicationShutdown(): void {
    this.stopKeeping?.();
  }

  async process(job: Job): Promise<number> {
    if (job.name === JOBS.expireLinks) return this.scheduler.expireDue();
    if (job.name === JOBS.recoverPayments) return this.scheduler.recoverDue();
    throw new Error(`unknown job ${job.name}`);
  }
}
