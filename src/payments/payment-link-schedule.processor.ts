import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnModuleInit } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { JOBS, QUEUES, SCHEDULES, upsertSchedule } from '../queue/queues';
import { PaymentLinkScheduler } from './payment-link.scheduler';

/** Link expiry and missed-webhook recovery: one tick runs in one worker across all replicas. */
@Processor(QUEUES.linkSchedules)
export class PaymentLinkScheduleProcessor extends WorkerHost implements OnModuleInit {
  constructor(
    private readonly scheduler: PaymentLinkScheduler,
    @InjectQueue(QUEUES.linkSchedules) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    const every = this.config.links.schedulerIntervalMs;
    await upsertSchedule(this.queue, SCHEDULES.expireLinks, every);
    await upsertSchedule(this.queue, SCHEDULES.recoverPayments, every);
  }

  async process(job: Job): Promise<number> {
    if (job.name === JOBS.expireLinks) return this.scheduler.expireDue();
    if (job.name === JOBS.recoverPayments) return this.scheduler.recoverDue();
    throw new Error(`unknown job ${job.name}`);
  }
}
