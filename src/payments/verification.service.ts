import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { classifyHttpError, ExternalApiError } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { parseVposWebhook } from '../providers/vpos/vpos-event';
import { mapVposStatus } from '../providers/vpos/vpos-status';
import { VposClient, VposSessionView } from '../providers/vpos/vpos.client';
import { WebhookEvent } from '../webhooks/webhook-event.entity';
import { JournalService } from './journal.service';
import { claimedIsAhead } from './verification-rules';

export const LOOKUP_LAG_RETRIES = 4;

export type VerificationResult =
  'missing' | 'already_done' | 'ignored' | 'verified' | 'manual_review';

/** Thrown so the queue retries later: the provider's lookup has not caught up yet. */
export class LookupLagError extends Error {
  constructor(claimed: string, lookup: string) {
    super(`webhook claims ${claimed} but the status lookup still says ${lookup}`);
  }
}

@Injectable()
export class VerificationService {
  private readonly logger = new Logger(VerificationService.name);
  private readonly noted = new WeakSet<Error>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vpos: VposClient,
    private readonly journal: JournalService,
    private readonly audit: AuditService,
    @InjectMetric('vposhub_verifications_total') private readonly outcomes: Counter<string>,
  ) {}

  async verify(webhookEventId: string, previousAttempts = 0): Promise<VerificationResult> {
    const raw = await this.ds.getRepository(WebhookEvent).findOneBy({ id: webhookEventId });
    if (!raw) return 'missing';
    if (raw.status !== 'received' && raw.status !== 'failed') return 'already_done';

    const claim = parseVposWebhook(JSON.parse(raw.rawBody), this.config.vpos.fields);
    if (!claim.sessionId) {
      await this.ignore(raw, 'the event names no payment session');
      return 'ignored';
    }

    let lookup: VposSessionView | null = null;
    try {
      lookup = await this.vpos.getSession(claim.sessionId);
    } catch (err) {
      const e = classifyHttpError('vpos', err);
      if (e.code !== 'not_found') {
        await this.noteFailure(raw, e);
        throw e;
      }
    }

    const claimedStatus = claim.status
      ? mapVposStatus(claim.status, this.config.vpos.statusMap)
      : undefined;
    if (lookup && claimedIsAhead(claimedStatus, lookup.status)) {
      if (previousAttempts < LOOKUP_LAG_RETRIES) {
        const lag = new LookupLagError(claim.status ?? '?', lookup.providerStatus ?? '?');
        await this.noteFailure(raw, lag);
        throw lag;
      }
    }

    const outcome = await this.journal.record({
      rawEventId: raw.id,
      providerEventId: raw.providerEventId,
      receivedAt: raw.receivedAt,
      claim,
      claimedStatus,
      lookup,
      verifiedBy: 'status_lookup',
    });
    const result: VerificationResult =
      outcome.result === 'already_done'
        ? 'already_done'
        : outcome.result === 'unchanged'
          ? 'verified'
          : outcome.result === 'no_order' || outcome.event.type === 'manual_review'
            ? 'manual_review'
            : 'verified';
    this.outcomes.inc({ outcome: result });
    return result;
  }

  async recordFailure(webhookEventId: string, err: unknown): Promise<void> {
    const error = err instanceof Error ? err : new Error(String(err));
    if (this.noted.has(error)) return;
    const raw = await this.ds.getRepository(WebhookEvent).findOneBy({ id: webhookEventId });
    if (raw) await this.noteFailure(raw, error);
  }

  async markFailed(webhookEventId: string, err: Error): Promise<void> {
    await this.ds.query(
      `UPDATE webhook_events SET status = 'failed', last_error = $2 WHERE id = $1 AND status = 'received'`,
      [webhookEventId, err.message.slice(0, 1000)],
    );
    const raw = await this.ds.getRepository(WebhookEvent).findOneBy({ id: webhookEventId });
    await this.audit.record({
      kind: 'verification.failed',
      actor: 'verifier',
      orderId: raw?.claimedOrderId ?? null,
      rawEventId: webhookEventId,
      data: { error: err.message.slice(0, 1000), attempts: raw?.verifyAttempts ?? null },
    });
    this.outcomes.inc({ outcome: 'failed' });
    this.logger.error(`verification of ${webhookEventId} gave up: ${err.message}`);
  }

  private async ignore(raw: WebhookEvent, reason: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query(
        `UPDATE webhook_events SET status = 'ignored', processed_at = now() WHERE id = $1`,
        [raw.id],
      );
      await this.audit.record(
        {
          kind: 'verification.skipped',
          actor: 'verifier',
          orderId: raw.claimedOrderId,
          rawEventId: raw.id,
          data: { reason, eventType: raw.eventType },
        },
        m,
      );
    });
    this.outcomes.inc({ outcome: 'ignored' });
  }

  private async noteFailure(raw: WebhookEvent, err: Error): Promise<void> {
    this.noted.add(err);
    const detail = (
      err instanceof ExternalApiError ? `${err.kind}/${err.code}: ${err.message}` : err.message
    ).slice(0, 1000);
    await this.ds.transaction(async (m) => {
      const [row] = await m.query<Array<{ verify_attempts: number }>>(
        `WITH u AS (UPDATE webhook_events SET verify_attempts = verify_attempts + 1, last_error = $2
                    WHERE id = $1 RETURNING verify_attempts)
         SELECT verify_attempts FROM u`,
        [raw.id, detail],
      );
      await this.audit.record(
        {
          kind: 'verification.attempt_failed',
          actor: 'verifier',
          orderId: raw.claimedOrderId,
          rawEventId: raw.id,
          data: { attempt: row?.verify_attempts ?? null, error: detail },
        },
        m,
      );
    });
  }
}
