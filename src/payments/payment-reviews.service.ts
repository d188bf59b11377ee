import {
  BadGatewayException,
  ConflictException,
  Injectable,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { classifyHttpError } from '../common/errors';
import { VposClient, VposSessionView } from '../providers/vpos/vpos.client';
import { JournalService } from './journal.service';
import type { ResolveReviewDto, ReviewDecision } from './payment-reviews.dto';
import type { PaymentStatus } from '../domain/payment-status';
import { PaymentsService, PaymentView } from './payments.service';

interface AttemptRef {
  id: string;
  attempt_no: number;
  status: PaymentStatus;
  provider_payment_id: string | null;
  flagged: boolean;
}

@Injectable()
export class PaymentReviewsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly vpos: VposClient,
    private readonly journal: JournalService,
    private readonly audit: AuditService,
    private readonly payments: PaymentsService,
  ) {}

  async resolve(orderId: string, dto: ResolveReviewDto, actor: string): Promise<PaymentView> {
    const [order] = await this.ds.query<{ status: PaymentStatus }[]>(
      `SELECT status FROM payment_orders WHERE order_id = $1`,
      [orderId],
    );
    if (!order) throw new NotFoundException(`orderId: no payment for order "${orderId}"`);
    const attempts = await this.ds.query<AttemptRef[]>(
      `SELECT a.id, a.attempt_no, a.status, a.provider_payment_id,
         EXISTS (SELECT 1 FROM payment_reviews r WHERE r.attempt_id = a.id
                 AND r.kind = 'flag' AND r.resolved_at IS NULL) AS flagged
       FROM payment_attempts a WHERE a.order_id = $1 ORDER BY a.attempt_no DESC`,
      [orderId],
    );
    const inReview = order.status === 'manual_review';
    if (!inReview && !attempts.some((a) => a.flagged)) {
      throw new ConflictException(
        `status: order "${orderId}" is not in review (it is ${order.status})`,
      );
    }
    const outcome =
      dto.decision === 'lookup'
        ? await this.lookUp(attempts, actor, dto.reason)
        : await this.decide(orderId, order.status, attempts, dto.decision, dto.reason, actor);
    await this.audit.record({
      kind: 'review.decision',
      actor,
      orderId,
      data: { decision: dto.decision, reason: dto.reason, statusBefore: order.status, outcome },
    });
    return this.payments.get(orderId);
  }

  private async lookUp(attempts: AttemptRef[], actor: string, reason: string) {
    const asked = attempts.filter((a) => a.status === 'manual_review' || a.flagged);
    const results: Array<{ attemptNo: number; lookupStatus: string | null; result: string }> = [];
    for (const a of asked) {
      const lookup = a.provider_payment_id ? await this.session(a.provider_payment_id) : null;
      const out = await this.journal.record({
        rawEventId: null,
        providerEventId: null,
        receivedAt: new Date(),
        claim: { sessionId: a.provider_payment_id ?? undefined },
        lookup,
        verifiedBy: 'status_lookup',
        operator: { actor, reason },
      });
      results.push({
        attemptNo: a.attempt_no,
        lookupStatus: lookup?.providerStatus ?? null,
        result: out.result,
      });
    }
    return results;
  }

  private async decide(
    orderId: string,
    status: PaymentStatus,
    attempts: AttemptRef[],
    decision: Exclude<ReviewDecision, 'lookup'>,
    reason: string,
    actor: string,
  ) {
    if (status !== 'manual_review') {
      // A settled order with a flag: the CRMs already see it right; only the flag is cleared.
      if (decision === 'mark_failed') {
        throw new ConflictException(
          `decision: mark_failed applies only to an order in manual_review; this one is ${status}`,
        );
      }
      const cleared = await this.journal.clearFlags(orderId, {
        resolution: 'accept_paid',
        actor,
        reason,
      });
      return { clearedFlags: cleared };
    }
    const target = attempts.find((a) => a.status === 'manual_review');
    if (!target) {
      throw new ConflictException(
        `decision: two attempts of order "${orderId}" took money; refund one at VPOS ` +
          '(only lookup applies here)',
      );
    }
    const out = await this.journal.recordLocal({
      attemptId: target.id,
      status: decision === 'accept_paid' ? 'paid' : 'failed',
      verifiedBy: 'operator',
      actor,
      reason,
      decision,
    });
    if (out.result !== 'recorded') {
      throw new ConflictException(`status: order "${orderId}" left review meanwhile`);
    }
    return { attemptNo: target.attempt_no, eventId: out.event.id, status: out.event.type };
  }

  private async session(id: string): Promise<VposSessionView | null> {
    try {
      return await this.vpos.getSession(id);
    } catch (err) {
      const e = classifyHttpError('vpos', err);
      if (e.code === 'not_found') return null;
      if (e.kind === 'retryable')
        throw new ServiceUnavailableException(`vpos: status lookup failed (${e.message})`);
      throw new BadGatewayException(`vpos: status lookup refused (${e.message})`);
    }
  }
}
