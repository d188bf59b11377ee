import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnModuleInit } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { JOBS, QUEUES, ReconcileJob, SCHEDULES } from '../queue/queues';
import { ReconciliationSchedule } from './reconciliation-schedule';
import { ReconciliationService } from './reconciliation.service';

/** Async runs (`{ runId }`) and the daily job scheduler: one worker per tick across replicas. */
@Processor(QUEUES.reconciliation)
export class ReconciliationProcessor extends WorkerHost implements OnModuleInit {
  private readonly logger = new Logger(ReconciliationProcessor.name);

  constructor(
    private readonly runs: ReconciliationService,
    private readonly schedule: ReconciliationSchedule,
    @InjectQueue(QUEUES.reconciliation) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    const { job } = SCHEDULES.reconcileDaily;
    const { schedule, timeZone } = this.config.reconciliation;
    try {
      if (schedule) {
        await this.queue.upsertJobScheduler(
          job,
          { pattern: schedule, tz: timeZone },
          { name: job },
        );
      } else {
        await this.queue.removeJobScheduler(job);
      }
    } catch (err) {
      this.logger.warn(`reconciliation schedule: ${(err as Error).message}`);
    }
  }

  async process(job: Job): Promise<string> {
    if (job.name === JOBS.reconcile) {
      const { runId } = job.data as ReconcileJob;
      await this.runs.execute(runId);
      return runId;
    }
    if (job.name === JOBS.reconcileDaily) return (await this.schedule.runDaily()).id;
    throw new Error(`unknown job ${job.name}`);
  }
}
