import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity';
import { AuditService } from '../audit/audit.service';
import { Delivery } from '../delivery/delivery.entity';
import { DeliveryService } from '../delivery/delivery.service';
import { PaymentAttempt } from './payment-attempt.entity';
import { PaymentEventRow } from './payment-event.entity';
import type { PaymentEventV1 } from './payment-event';
import { PaymentOrder } from './payment-order.entity';
import { listReviews, ReviewView } from './payment-reviews';

export interface PaymentView {
  orderId: string;
  status: PaymentOrder['status'];
  inReview: boolean;
  amountMinor: number | null;
  currency: string | null;
  customer: { phone: string | null; id: string | null };
  crm: PaymentOrder['crm'];
  createdAt: Date;
  updatedAt: Date;
  attempts: Array<
    Pick<
      PaymentAttempt,
      | 'id'
      | 'attemptNo'
      | 'provider'
      | 'providerPaymentId'
      | 'status'
      | 'amountMinor'
      | 'currency'
      | 'refundedAmountMinor'
      | 'statusChangedAt'
      | 'createdAt'
    >
  >;
  events: PaymentEventV1[];
  deliveries: Array<
    Pick<
      Delivery,
      | 'id'
      | 'eventId'
      | 'connectionId'
      | 'status'
      | 'attempts'
      | 'nextAttemptAt'
      | 'lastErrorKind'
      | 'lastErrorCode'
      | 'lastError'
      | 'externalId'
      | 'externalUrl'
      | 'deliveredAt'
    >
  >;
  reviews: ReviewView[];
}

@Injectable()
export class PaymentsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly deliveries: DeliveryService,
  ) {}

  async get(orderId: string): Promise<PaymentView> {
    const order = await this.ds.getRepository(PaymentOrder).findOneBy({ orderId });
    if (!order) throw new NotFoundException(`orderId: no payment for order "${orderId}"`);
    const [attempts, events, deliveries, reviews] = await Promise.all([
      this.ds
        .getRepository(PaymentAttempt)
        .find({ where: { orderId }, order: { attemptNo: 'ASC' } }),
      this.ds
        .getRepository(PaymentEventRow)
        .find({ where: { orderId }, order: { verifiedAt: 'ASC' } }),
      this.deliveries.listForOrder(orderId),
      listReviews(this.ds, orderId),
    ]);
    return {
      orderId: order.orderId,
      status: order.status,
      inReview: order.status === 'manual_review' || reviews.some((r) => r.resolvedAt === null),
      amountMinor: order.amountMinor,
      currency: order.currency,
      customer: { phone: order.customerPhone, id: order.customerId },
      crm: order.crm,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
      attempts: attempts.map((a) => ({
        id: a.id,
        attemptNo: a.attemptNo,
        provider: a.provider,
        providerPaymentId: a.providerPaymentId,
        status: a.status,
        amountMinor: a.amountMinor,
        currency: a.currency,
        refundedAmountMinor: a.refundedAmountMinor,
        statusChangedAt: a.statusChangedAt,
        createdAt: a.createdAt,
      })),
      events: events.map((e) => e.payload),
      deliveries: deliveries.map((d) => ({
        id: d.id,
        eventId: d.eventId,
        connectionId: d.connectionId,
        status: d.status,
        attempts: d.attempts,
        nextAttemptAt: d.nextAttemptAt,
        lastErrorKind: d.lastErrorKind,
        lastErrorCode: d.lastErrorCode,
        lastError: d.lastError,
        externalId: d.externalId,
        externalUrl: d.externalUrl,
        deliveredAt: d.deliveredAt,
      })),
      reviews,
    };
  }

  async auditTrail(orderId: string): Promise<AuditEntry[]> {
    const entries = await this.audit.listForOrder(orderId);
    if (entries.length === 0) {
      throw new NotFoundException(`orderId: no audit trail for order "${orderId}"`);
    }
    return entries;
  }
}
