import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { ExternalApiError } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { backoffDelayMs, QUEUES, VerifyWebhookJob } from '../queue/queues';
import { VerificationResult, VerificationService } from './verification.service';

@Processor(QUEUES.verification, {
  // A worker killed mid-job stalls it; BullMQ's default (1) fails it at the second such death,
  // and a failed job id blocks the stale-event re-publish, so the webhook was never verified.
  maxStalledCount: 10,
  settings: {
    backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
      backoffDelayMs(attemptsMade, err instanceof ExternalApiError ? err.retryAfterMs : undefined),
  },
})
export class VerificationProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(VerificationProcessor.name);

  constructor(
    private readonly verification: VerificationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workers.verifyConcurrency;
    this.worker.on('error', (err) => this.logger.warn(`worker: ${err.message}`));
  }

  async process(job: Job<VerifyWebhookJob>): Promise<VerificationResult> {
    try {
      return await this.verification.verify(job.data.webhookEventId, job.attemptsMade);
    } catch (err) {
      await this.verification
        .recordFailure(job.data.webhookEventId, err)
        .catch((e: Error) =>
          this.logger.warn(`could not record a failed verification: ${e.message}`),
        );
      throw err;
    }
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<VerifyWebhookJob> | undefined, err: Error): Promise<void> {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    if (job.attemptsMade >= attempts)
      await this.verification.markFailed(job.data.webhookEventId, err);
  }
}
