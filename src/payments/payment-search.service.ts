import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import {
  PaymentPage,
  PaymentRow,
  PaymentStats,
  PeriodTotals,
  ReviewItem,
} from './payment-search.dto';
import type { SearchPaymentsQuery } from './payment-search.dto';

const PAID = `('paid','refunded','partially_refunded')`;

@Injectable()
export class PaymentSearchService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async search(q: SearchPaymentsQuery): Promise<PaymentPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.orderId) add('o.order_id LIKE ?', `${q.orderId}%`);
    if (q.phone)
      add(
        `regexp_replace(o.customer_phone, '\\D', '', 'g') LIKE ?`,
        `%${q.phone.replace(/\D/g, '')}%`,
      );
    if (q.status) add('o.status = ?', q.status);
    if (q.from) add('o.created_at >= ?', new Date(q.from));
    if (q.to) add('o.created_at < ?', new Date(q.to));
    if (q.amountMin !== undefined) add('o.amount_minor >= ?', q.amountMin);
    if (q.amountMax !== undefined) add('o.amount_minor <= ?', q.amountMax);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [rows, count] = await Promise.all([
      this.ds.query<PaymentRow[]>(
        `SELECT o.order_id AS "orderId", o.status, o.amount_minor::float8 AS "amountMinor",
                o.currency, o.customer_phone AS "customerPhone",
                o.created_at AS "createdAt", o.updated_at AS "updatedAt",
                EXISTS (SELECT 1 FROM payment_reviews r
                        WHERE r.order_id = o.order_id AND r.resolved_at IS NULL) AS "inReview"
         FROM payment_orders o ${filter}
         ORDER BY o.created_at DESC, o.order_id LIMIT ${q.limit} OFFSET ${q.offset}`,
        params,
      ),
      this.ds.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM payment_orders o ${filter}`,
        params,
      ),
    ]);
    return { items: rows, total: count[0].n };
  }

  async stats(): Promise<PaymentStats> {
    const tz = this.config.businessTimeZone;
    const [today, month, deliveries, reviews] = await Promise.all([
      this.totals(`date_trunc('day', now() AT TIME ZONE $1) AT TIME ZONE $1`, tz),
      this.totals(`date_trunc('month', now() AT TIME ZONE $1) AT TIME ZONE $1`, tz),
      this.ds.query<Array<{ status: string; n: number }>>(
        `SELECT status, count(*)::int AS n FROM deliveries GROUP BY status`,
      ),
      this.ds.query<ReviewItem[]>(
        `SELECT order_id AS "orderId", reason, opened_at AS "openedAt" FROM payment_reviews
         WHERE resolved_at IS NULL ORDER BY opened_at LIMIT 100`,
      ),
    ]);
    return {
      timeZone: tz,
      today,
      month,
      deliveries: Object.fromEntries(deliveries.map((d) => [d.status, d.n])),
      reviews,
    };
  }

  private async totals(since: string, tz: string): Promise<PeriodTotals> {
    const rows = await this.ds.query<Array<{ currency: string | null; n: number; sum: number }>>(
      `SELECT currency, count(*)::int AS n, coalesce(sum(amount_minor), 0)::float8 AS sum
       FROM payment_orders WHERE status IN ${PAID} AND updated_at >= ${since}
       GROUP BY currency`,
      [tz],
    );
    return {
      count: rows.reduce((n, r) => n + r.n, 0),
      sums: Object.fromEntries(rows.map((r) => [r.currency ?? '?', r.sum])),
    };
  }
}
