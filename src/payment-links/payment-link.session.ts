import {
  BadGatewayException,
  HttpException,
  Inject,
  Injectable,
  ServiceUnavailableException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { classifyHttpError, ExternalApiError } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { VposClient } from '../providers/vpos/vpos.client';
import { PaymentLink } from './payment-link.entity';

@Injectable()
export class PaymentLinkSessions {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vpos: VposClient,
    private readonly audit: AuditService,
  ) {}

  // Under the link's row lock, so a concurrent replay waits for the outcome instead of asking VPOS again.
  async open(linkId: string): Promise<void> {
    const failure = await this.ds.transaction(async (m): Promise<HttpException | undefined> => {
      const link = await m
        .getRepository(PaymentLink)
        .findOneOrFail({ where: { id: linkId }, lock: { mode: 'pessimistic_write' } });
      if (link.status !== 'creating') return undefined;
      const [attempt] = await m.query<{ attempt_no: number }[]>(
        `SELECT attempt_no FROM payment_attempts WHERE id = $1`,
        [link.attemptId],
      );
      let session: Awaited<ReturnType<VposClient['createSession']>>;
      try {
        session = await this.vpos.createSession(
          this.sessionRequest(link, attempt.attempt_no),
          link.idempotencyKey,
        );
      } catch (err) {
        return this.recordFailure(m, link, classifyHttpError('vpos', err));
      }
      await m.query(
        `UPDATE payment_links SET status = 'active', url = $2, provider_session_id = $3,
           expires_at = least(expires_at, coalesce($4, expires_at)), last_error = NULL,
           updated_at = now()
         WHERE id = $1 AND status = 'creating'`,
        [link.id, session.url, session.id, session.expiresAt ?? null],
      );
      await m.query(`UPDATE payment_attempts SET provider_payment_id = $2 WHERE id = $1`, [
        link.attemptId,
        session.id,
      ]);
      await this.audit.record(
        {
          kind: 'link.session_opened',
          actor: 'hub',
          orderId: link.orderId,
          attemptId: link.attemptId,
          data: { linkId: link.id, providerPaymentId: session.id },
        },
        m,
      );
      return undefined;
    });
    if (failure) throw failure;
  }

  private sessionRequest(link: PaymentLink, attemptNo: number) {
    return {
      merchantOrderId: link.orderId,
      amountMinor: link.amountMinor,
      currency: link.currency,
      ...(this.config.vpos.paymentProvider ? { provider: this.config.vpos.paymentProvider } : {}),
      ...(this.config.vpos.returnUrl ? { returnUrl: this.config.vpos.returnUrl } : {}),
      customer: {
        ...(link.customer.phone ? { phone: link.customer.phone } : {}),
        ...(link.customer.email ? { email: link.customer.email } : {}),
        ...(link.customer.name ? { name: link.customer.name } : {}),
      },
      metadata: {
        ...link.metadata,
        linkId: link.id,
        attemptNo,
        ...(link.description ? { description: link.description } : {}),
        ...(link.customer.id ? { customerId: link.customer.id } : {}),
        crm: link.crm,
      },
      expiresAt: link.expiresAt.toISOString(),
    };
  }

  /** A passing failure leaves the link `creating` (same key retries); any other fails it. */
  private async recordFailure(
    m: EntityManager,
    link: PaymentLink,
    e: ExternalApiError,
  ): Promise<HttpException> {
    if (e.kind === 'retryable') {
      await m.query(`UPDATE payment_links SET last_error = $2 WHERE id = $1`, [link.id, e.message]);
      return new ServiceUnavailableException(
        `vpos: could not open the payment session (${e.message}); retry with the same Idempotency-Key`,
      );
    }
    await m.query(
      `UPDATE payment_links SET status = 'failed', last_error = $2, updated_at = now() WHERE id = $1`,
      [link.id, e.message],
    );
    await m.query(
      `UPDATE payment_attempts SET status = 'failed', next_check_at = NULL WHERE id = $1`,
      [link.attemptId],
    );
    await this.audit.record(
      {
        kind: 'link.failed',
        actor: 'hub',
        orderId: link.orderId,
        attemptId: link.attemptId,
        data: { linkId: link.id, error: e.message, httpStatus: e.httpStatus ?? null },
      },
      m,
    );
    return new BadGatewayException(`vpos: refused the payment session: ${e.message}`);
  }
}
