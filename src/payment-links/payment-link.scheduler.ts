import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { classifyHttpError } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { VposClient, VposSessionView } from '../providers/vpos/vpos.client';
import { JournalService } from '../payments/journal.service';

const BATCH = 100;
const MAX_CHECK_INTERVAL_S = 6 * 3600;

// The journal is idempotent, so overlapping ticks do no harm; expiry looks a link up once more.
@Injectable()
export class PaymentLinkScheduler {
  private readonly logger = new Logger(PaymentLinkScheduler.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vpos: VposClient,
    private readonly journal: JournalService,
  ) {}

  async runOnce(): Promise<{ expired: number; recovered: number }> {
    return { expired: await this.expireDue(), recovered: await this.recoverDue() };
  }

  async expireDue(): Promise<number> {
    const due = await this.ds.query<{ attempt_id: string; provider_payment_id: string | null }[]>(
      `SELECT l.attempt_id, a.provider_payment_id
       FROM payment_links l JOIN payment_attempts a ON a.id = l.attempt_id
       WHERE l.status = 'active' AND l.expires_at <= now()
       ORDER BY l.expires_at LIMIT $1`,
      [BATCH],
    );
    let expired = 0;
    for (const link of due) {
      const lookup = await this.lookup(link.provider_payment_id);
      if (lookup === 'unavailable') continue;
      const open = !lookup || ['created', 'pending'].includes(lookup.status.status);
      if (!open) {
        // VPOS already has a final answer (paid at the last second, say): record that.
        await this.record(lookup);
        continue;
      }
      const outcome = await this.journal.recordLocal({
        attemptId: link.attempt_id,
        status: 'expired',
        verifiedBy: 'scheduler',
        actor: 'scheduler',
        reason: 'the link reached its expiry time unpaid',
      });
      if (outcome.result === 'recorded') expired++;
    }
    return expired;
  }

  async recoverDue(): Promise<number> {
    const due = await this.ds.query<{ id: string; provider_payment_id: string; checks: number }[]>(
      `SELECT id, provider_payment_id, checks FROM payment_attempts
       WHERE status IN ('created','pending','manual_review') AND provider_payment_id IS NOT NULL
         AND next_check_at <= now()
       ORDER BY next_check_at LIMIT $1`,
      [BATCH],
    );
    let recovered = 0;
    for (const attempt of due) {
      const lookup = await this.lookup(attempt.provider_payment_id);
      if (lookup && lookup !== 'unavailable' && (await this.record(lookup))) recovered++;
      const wait = Math.min(
        MAX_CHECK_INTERVAL_S,
        this.config.links.recoveryAfterSeconds * 2 ** (attempt.checks + 1),
      );
      await this.ds.query(
        `UPDATE payment_attempts SET checks = checks + 1,
           next_check_at = CASE WHEN status IN ('created','pending','manual_review')
                                THEN now() + make_interval(secs => $2) END
         WHERE id = $1`,
        [attempt.id, wait],
      );
    }
    if (recovered) this.logger.warn(`recovered ${recovered} payment(s) whose webhook never came`);
    return recovered;
  }

  private async lookup(sessionId: string | null): Promise<VposSessionView | null | 'unavailable'> {
    if (!sessionId) return null;
    try {
      return await this.vpos.getSession(sessionId);
    } catch (err) {
      const e = classifyHttpError('vpos', err);
      if (e.code === 'not_found') return null;
      this.logger.warn(`status lookup of ${sessionId} failed: ${e.message}`);
      return 'unavailable';
    }
  }

  private async record(lookup: VposSessionView): Promise<boolean> {
    const outcome = await this.journal.record({
      rawEventId: null,
      providerEventId: null,
      receivedAt: new Date(),
      claim: { sessionId: lookup.sessionId },
      lookup,
      verifiedBy: 'scheduler',
    });
    return outcome.result === 'recorded';
  }
}
