import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { CrmEventJob, CrmSubscribeJob, JOBS, QUEUES } from '../queue/queues';
import { CrmLinkSubscriptions } from './crm-link-subscriptions';
import { CrmLinkWorker } from './crm-link.worker';

@Processor(QUEUES.crmLinks, { concurrency: 4 })
export class CrmLinksProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(CrmLinksProcessor.name);

  constructor(
    private readonly worker_: CrmLinkWorker,
    private readonly subscriptions: CrmLinkSubscriptions,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.on('error', (err) => this.logger.warn(`worker: ${err.message}`));
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<CrmEventJob | CrmSubscribeJob> | undefined, err: Error): Promise<void> {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    if (job.name === JOBS.crmEvent) {
      await this.worker_.giveUp((job.data as CrmEventJob).crmEventId, err.message);
    } else {
      this.logger.warn(
        `subscription of ${(job.data as CrmSubscribeJob).connectionId}: ${err.message}`,
      );
    }
  }

  process(job: Job<CrmEventJob | CrmSubscribeJob>): Promise<string> {
    if (job.name === JOBS.crmSubscribe) {
      return this.subscriptions.reconcile((job.data as CrmSubscribeJob).connectionId);
    }
    return this.worker_.process((job.data as CrmEventJob).crmEventId);
  }
}
