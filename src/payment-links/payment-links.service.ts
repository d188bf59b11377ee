import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { JournalService } from '../payments/journal.service';
import { PaymentLink } from './payment-link.entity';
import { planPaymentLink, requestHash } from './payment-link.plan';
import { OPEN_LINK, PaymentLinkReservations } from './payment-link.reservation';
import { PaymentLinkSessions } from './payment-link.session';
import { PaymentLinkView, PaymentLinkViews } from './payment-link.views';
import { CreatePaymentLinkDto, ListPaymentLinksQuery } from './payment-links.dto';
import { Product } from './product.entity';

export interface CreateResult {
  link: PaymentLinkView;
  replayed: boolean;
}

@Injectable()
export class PaymentLinksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reservations: PaymentLinkReservations,
    private readonly sessions: PaymentLinkSessions,
    private readonly views: PaymentLinkViews,
    private readonly audit: AuditService,
    private readonly journal: JournalService,
  ) {}

  async create(
    dto: CreatePaymentLinkDto,
    idempotencyKey: string | undefined,
    actor: string,
  ): Promise<CreateResult> {
    if (!idempotencyKey || !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
      throw new BadRequestException(
        'Idempotency-Key: header is required (1-255 printable ASCII characters)',
      );
    }
    const hash = requestHash(dto);
    const existing = await this.ds.getRepository(PaymentLink).findOneBy({ idempotencyKey });
    if (existing) return this.replay(existing.id, existing.requestHash, hash);

    const plan = planPaymentLink(dto, await this.product(dto.productId), this.config.links);
    const reserved = await this.reservations.reserve(plan, idempotencyKey, hash, actor);
    if (reserved.replayed) return this.replay(reserved.id, reserved.requestHash, hash);
    await this.sessions.open(reserved.id);
    return { link: await this.views.get(reserved.id), replayed: false };
  }

  private async product(id: string | undefined): Promise<Product | null> {
    if (!id) return null;
    const product = await this.ds.getRepository(Product).findOneBy({ id });
    if (!product || !product.active) {
      throw new UnprocessableEntityException(`productId: no active product "${id}"`);
    }
    return product;
  }

  private async replay(linkId: string, storedHash: string, hash: string): Promise<CreateResult> {
    if (storedHash !== hash) {
      throw new ConflictException(
        'Idempotency-Key: already used with a different request body; use a new key for a new link',
      );
    }
    // A session still opening is waited for, or retried with the same key.
    await this.sessions.open(linkId);
    return { link: await this.views.get(linkId), replayed: true };
  }

  get(id: string): Promise<PaymentLinkView> {
    return this.views.get(id);
  }

  list(q: ListPaymentLinksQuery): Promise<PaymentLinkView[]> {
    return this.views.list(q);
  }

  async cancel(id: string, actor: string): Promise<PaymentLinkView> {
    const link = await this.views.find(id);
    if (link.status === 'cancelled') return this.views.view(link);
    if (!OPEN_LINK.includes(link.status)) {
      throw new ConflictException(`status: a ${link.status} link cannot be cancelled`);
    }
    const outcome = await this.journal.recordLocal({
      attemptId: link.attemptId,
      status: 'cancelled',
      verifiedBy: 'operator',
      actor,
      reason: 'cancelled by an operator',
    });
    if (outcome.result !== 'recorded') {
      const fresh = await this.views.get(id);
      throw new ConflictException(`status: a ${fresh.status} link cannot be cancelled`);
    }
    return this.views.get(id);
  }

  async resend(id: string, actor: string): Promise<PaymentLinkView> {
    const view = await this.views.get(id);
    if (view.status !== 'active') {
      throw new ConflictException(
        `status: only an active link can be resent (this one is ${view.status})`,
      );
    }
    await this.audit.record({
      kind: 'link.resent',
      actor,
      orderId: view.orderId,
      data: { linkId: id },
    });
    return view;
  }
}
