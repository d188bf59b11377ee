import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PaymentLink } from './payment-link.entity';
import { ListPaymentLinksQuery } from './payment-links.dto';
import { DEFAULT_TEMPLATES, whatsappMessage } from './whatsapp-message';

export interface PaymentLinkView {
  id: string;
  orderId: string;
  status: PaymentLink['status'];
  url: string | null;
  expiresAt: Date;
  amountMinor: number;
  currency: string;
  description: string | null;
  customer: PaymentLink['customer'];
  crm: PaymentLink['crm'];
  metadata: Record<string, unknown>;
  productId: string | null;
  attemptNo: number;
  providerPaymentId: string | null;
  createdBy: string;
  createdAt: Date;
  whatsapp: { text: string; url: string };
}

interface AttemptRef {
  id: string;
  attempt_no: number;
  provider_payment_id: string | null;
}

@Injectable()
export class PaymentLinkViews {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async find(id: string): Promise<PaymentLink> {
    const link = await this.ds.getRepository(PaymentLink).findOneBy({ id });
    if (!link) throw new NotFoundException(`id: no payment link "${id}"`);
    return link;
  }

  async get(id: string): Promise<PaymentLinkView> {
    return this.view(await this.find(id));
  }

  async list(q: ListPaymentLinksQuery): Promise<PaymentLinkView[]> {
    const qb = this.ds
      .getRepository(PaymentLink)
      .createQueryBuilder('l')
      .orderBy('l.created_at', 'DESC');
    if (q.orderId) qb.andWhere('l.order_id = :o', { o: q.orderId });
    if (q.status) qb.andWhere('l.status = :s', { s: q.status });
    const links = await qb.take(q.limit).skip(q.offset).getMany();
    const attempts = await this.ds.query<AttemptRef[]>(
      `SELECT id, attempt_no, provider_payment_id FROM payment_attempts WHERE id = ANY($1::uuid[])`,
      [links.map((l) => l.attemptId)],
    );
    const byId = new Map(attempts.map((a) => [a.id, a]));
    return Promise.all(links.map((l) => this.view(l, byId.get(l.attemptId))));
  }

  async view(link: PaymentLink, known?: AttemptRef): Promise<PaymentLinkView> {
    const attempt =
      known ??
      (
        await this.ds.query<AttemptRef[]>(
          `SELECT id, attempt_no, provider_payment_id FROM payment_attempts WHERE id = $1`,
          [link.attemptId],
        )
      )[0];
    const template = this.config.links.templates[link.language] ?? DEFAULT_TEMPLATES[link.language];
    return {
      id: link.id,
      orderId: link.orderId,
      status: link.status,
      url: link.url,
      expiresAt: link.expiresAt,
      amountMinor: link.amountMinor,
      currency: link.currency,
      description: link.description,
      customer: link.customer,
      crm: link.crm,
      metadata: link.metadata,
      productId: link.productId,
      attemptNo: attempt.attempt_no,
      providerPaymentId: attempt.provider_payment_id,
      createdBy: link.createdBy,
      createdAt: link.createdAt,
      whatsapp: whatsappMessage(
        {
          orderId: link.orderId,
          amountMinor: link.amountMinor,
          currency: link.currency,
          exponent: this.config.vpos.currencyExponents[link.currency] ?? 2,
          description: link.description,
          url: link.url ?? '',
          expiresAt: link.expiresAt,
          phone: link.customer.phone,
        },
        template,
      ),
    };
  }
}
