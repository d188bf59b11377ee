import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { PaymentLinkPlan } from './payment-link.plan';

const SETTLED = ['paid', 'partially_refunded', 'refunded'];
export const OPEN_LINK = ['creating', 'active'];

export interface Reservation {
  id: string;
  requestHash: string;
  replayed: boolean;
}

@Injectable()
export class PaymentLinkReservations {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /** Requests with one key queue on its lock; the later ones find the first one's link. */
  reserve(plan: PaymentLinkPlan, key: string, hash: string, actor: string): Promise<Reservation> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `payment-link-key:${key}`,
      ]);
      const [prior] = await m.query<{ id: string; request_hash: string }[]>(
        `SELECT id, request_hash FROM payment_links WHERE idempotency_key = $1`,
        [key],
      );
      if (prior) return { id: prior.id, requestHash: prior.request_hash, replayed: true };
      await this.lockOrder(m, plan);
      const id = await this.insert(m, plan, key, hash, actor);
      return { id, requestHash: hash, replayed: false };
    });
  }

  private async lockOrder(m: EntityManager, p: PaymentLinkPlan): Promise<void> {
    await m.query(
      `INSERT INTO payment_orders (order_id, status, amount_minor, currency, customer_phone,
         customer_id, crm, metadata)
       VALUES ($1, 'created', $2, $3, $4, $5, $6::jsonb, $7::jsonb) ON CONFLICT (order_id) DO NOTHING`,
      [
        p.orderId,
        p.amountMinor,
        p.currency,
        p.customer.phone ?? null,
        p.customer.id ?? null,
        JSON.stringify(p.crm),
        JSON.stringify(p.metadata),
      ],
    );
    const [order] = await m.query<
      { status: string; amount_minor: string | null; currency: string | null }[]
    >(`SELECT status, amount_minor, currency FROM payment_orders WHERE order_id = $1 FOR UPDATE`, [
      p.orderId,
    ]);
    if (SETTLED.includes(order.status)) {
      throw new ConflictException(
        `orderId: order ${p.orderId} is already paid (${order.status}); no new link`,
      );
    }
    if (
      (order.amount_minor !== null && Number(order.amount_minor) !== p.amountMinor) ||
      (order.currency !== null && order.currency !== p.currency)
    ) {
      throw new ConflictException(
        `amountMinor: order ${p.orderId} is locked at ${order.amount_minor} ${order.currency} minor units`,
      );
    }
    const [open] = await m.query<{ id: string }[]>(
      `SELECT id FROM payment_links WHERE order_id = $1 AND status = ANY($2) LIMIT 1`,
      [p.orderId, OPEN_LINK],
    );
    if (open) {
      throw new ConflictException(
        `orderId: order ${p.orderId} has an open link ${open.id}; cancel it or let it expire first`,
      );
    }
  }

  private async insert(
    m: EntityManager,
    p: PaymentLinkPlan,
    key: string,
    hash: string,
    actor: string,
  ): Promise<string> {
    // A customer's retry is a new attempt on the same order, so the attempt comes first.
    const [attempt] = await m.query<{ id: string; attempt_no: number }[]>(
      `INSERT INTO payment_attempts (order_id, attempt_no, provider, status, amount_minor, currency,
         next_check_at)
       SELECT $1, coalesce(max(attempt_no), 0) + 1, 'vpos', 'created', $2, $3,
              now() + make_interval(secs => $4)
       FROM payment_attempts WHERE order_id = $1
       RETURNING id, attempt_no`,
      [p.orderId, p.amountMinor, p.currency, this.config.links.recoveryAfterSeconds],
    );
    const [link] = await m.query<{ id: string }[]>(
      `INSERT INTO payment_links (order_id, attempt_id, product_id, amount_minor, currency,
         description, customer, crm, metadata, language, expires_at, idempotency_key,
         request_hash, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11, $12, $13, $14)
       RETURNING id`,
      [
        p.orderId,
        attempt.id,
        p.productId,
        p.amountMinor,
        p.currency,
        p.description,
        JSON.stringify(p.customer),
        JSON.stringify(p.crm),
        JSON.stringify(p.metadata),
        p.language,
        p.expiresAt,
        key,
        hash,
        actor,
      ],
    );
    await this.audit.record(
      {
        kind: 'link.created',
        actor,
        orderId: p.orderId,
        attemptId: attempt.id,
        data: {
          linkId: link.id,
          attemptNo: attempt.attempt_no,
          amountMinor: p.amountMinor,
          currency: p.currency,
          expiresAt: p.expiresAt.toISOString(),
          productId: p.productId,
        },
      },
      m,
    );
    return link.id;
  }
}
