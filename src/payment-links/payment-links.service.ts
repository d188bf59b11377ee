import {
  BadRequestException,
  BadGatewayException,
  ConflictException,
  HttpException,
  Inject,
  Injectable,
  NotFoundException,
  ServiceUnavailableException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { classifyHttpError, ExternalApiError } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { VposClient } from '../providers/vpos/vpos.client';
import { JournalService } from '../payments/journal.service';
import { PaymentLink } from './payment-link.entity';
import { CreatePaymentLinkDto, ListPaymentLinksQuery } from './payment-links.dto';
import { normalizePhone } from './phone';
import { Product } from './product.entity';
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

export interface CreateResult {
  link: PaymentLinkView;
  replayed: boolean;
}

interface AttemptRef {
  id: string;
  attempt_no: number;
  provider_payment_id: string | null;
}

const SETTLED = ['paid', 'partially_refunded', 'refunded'];
const OPEN_LINK = ['creating', 'active'];
const METADATA_MAX_BYTES = 4096;

/** Canonical JSON (sorted keys) so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

@Injectable()
export class PaymentLinksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vpos: VposClient,
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
    const hash = createHash('sha256').update(canonical(dto)).digest('hex');
    const existing = await this.byKey(idempotencyKey);
    if (existing) return this.replay(existing.id, existing.requestHash, hash);

    const plan = await this.plan(dto);
    // Requests with the same key queue on this lock: the first reserves the link, the others
    // find it and answer with it (never "the order has an open link").
    const reserved = await this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `payment-link-key:${idempotencyKey}`,
      ]);
      const [prior] = await m.query<{ id: string; request_hash: string }[]>(
        `SELECT id, request_hash FROM payment_links WHERE idempotency_key = $1`,
        [idempotencyKey],
      );
      if (prior) return { id: prior.id, requestHash: prior.request_hash, replayed: true };
      const id = await this.reserve(m, plan, idempotencyKey, hash, actor);
      return { id, requestHash: hash, replayed: false };
    });
    if (reserved.replayed) return this.replay(reserved.id, reserved.requestHash, hash);
    return { link: await this.openSession(reserved.id), replayed: false };
  }

  private async byKey(key: string): Promise<PaymentLink | null> {
    return this.ds.getRepository(PaymentLink).findOneBy({ idempotencyKey: key });
  }

  private async replay(linkId: string, storedHash: string, hash: string): Promise<CreateResult> {
    if (storedHash !== hash) {
      throw new ConflictException(
        'Idempotency-Key: already used with a different request body; use a new key for a new link',
      );
    }
    // A session still opening (or that failed to open for a passing reason) is waited for or
    // retried with the same key.
    return { link: await this.openSession(linkId), replayed: true };
  }

  /** Validates and resolves the request into what the link will be. */
  private async plan(dto: CreatePaymentLinkDto) {
    let product: Product | null = null;
    if (dto.productId) {
      product = await this.ds.getRepository(Product).findOneBy({ id: dto.productId });
      if (!product || !product.active) {
        throw new UnprocessableEntityException(`productId: no active product "${dto.productId}"`);
      }
      if (dto.amountMinor !== undefined && dto.amountMinor !== product.amountMinor) {
        throw new UnprocessableEntityException('amountMinor: fixed by the product; leave it out');
      }
      if (dto.currency !== undefined && dto.currency !== product.currency) {
        throw new UnprocessableEntityException('currency: fixed by the product; leave it out');
      }
    }
    const amountMinor = product?.amountMinor ?? dto.amountMinor;
    if (amountMinor === undefined) {
      throw new UnprocessableEntityException('amountMinor: required (or give a productId)');
    }
    const currency = product?.currency ?? dto.currency ?? 'AMD';
    if (!this.config.links.currencies.includes(currency)) {
      throw new UnprocessableEntityException(
        `currency: ${currency} is not enabled (PAYMENT_LINK_CURRENCIES: ${this.config.links.currencies.join(', ')})`,
      );
    }
    const orderId =
      dto.orderId ??
      (product
        ? `P-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`
        : undefined);
    if (!orderId) throw new UnprocessableEntityException('orderId: required (or give a productId)');

    const customer = { ...(dto.customer ?? {}) };
    if (customer.phone !== undefined) {
      const e164 = normalizePhone(customer.phone);
      if (!e164) {
        throw new UnprocessableEntityException(
          `customer.phone: "${customer.phone}" is not a valid phone number (E.164, or an Armenian number such as 091 234567)`,
        );
      }
      customer.phone = e164;
    }
    if (!customer.phone && !customer.id) {
      throw new UnprocessableEntityException('customer: a phone or an id is required');
    }
    if (dto.metadata && Buffer.byteLength(JSON.stringify(dto.metadata)) > METADATA_MAX_BYTES) {
      throw new UnprocessableEntityException(
        `metadata: at most ${METADATA_MAX_BYTES} bytes of JSON`,
      );
    }

    const max = this.config.links.maxTtlSeconds;
    if (dto.expiresAt !== undefined && dto.ttlSeconds !== undefined) {
      throw new UnprocessableEntityException(
        'expiresAt: give either expiresAt or ttlSeconds, not both',
      );
    }
    let expiresAt: Date;
    if (dto.expiresAt !== undefined) {
      expiresAt = new Date(dto.expiresAt);
      if (Number.isNaN(expiresAt.getTime())) {
        throw new UnprocessableEntityException('expiresAt: not a date-time this hub can store');
      }
      if (expiresAt.getTime() <= Date.now() + 60_000) {
        throw new UnprocessableEntityException(
          'expiresAt: must be at least a minute in the future',
        );
      }
      if (expiresAt.getTime() > Date.now() + max * 1000) {
        throw new UnprocessableEntityException(`expiresAt: at most ${max} seconds ahead`);
      }
    } else {
      const ttl =
        dto.ttlSeconds ?? product?.defaultTtlSeconds ?? this.config.links.defaultTtlSeconds;
      if (ttl > max) throw new UnprocessableEntityException(`ttlSeconds: at most ${max}`);
      expiresAt = new Date(Date.now() + ttl * 1000);
    }
    return {
      orderId,
      amountMinor,
      currency,
      customer,
      description: dto.description ?? product?.description ?? product?.name ?? null,
      crm: { ...(dto.crm ?? {}) },
      metadata: dto.metadata ?? {},
      language: dto.language ?? this.config.links.language,
      productId: product?.id ?? null,
      expiresAt,
    };
  }

  /** Order checks, the new attempt and the link row, in one transaction. */
  private async reserve(
    m: EntityManager,
    p: Awaited<ReturnType<PaymentLinksService['plan']>>,
    key: string,
    hash: string,
    actor: string,
  ): Promise<string> {
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
    // Attempt first (a customer's retry is a new attempt on the same order), then the link.
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

  /**
   * Opens (or re-opens, same key) the VPOS session of a reserved link. The link row stays locked
   * during the call, so concurrent replays wait for its outcome instead of asking VPOS again;
   * everything inside goes through `m` (a waiter holds a pooled connection while it waits).
   */
  private async openSession(linkId: string): Promise<PaymentLinkView> {
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
        return this.recordSessionFailure(m, link, classifyHttpError('vpos', err));
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
    return this.get(linkId);
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
  private async recordSessionFailure(
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

  async get(id: string): Promise<PaymentLinkView> {
    const link = await this.ds.getRepository(PaymentLink).findOneBy({ id });
    if (!link) throw new NotFoundException(`id: no payment link "${id}"`);
    return this.view(link);
  }

  async list(q: ListPaymentLinksQuery): Promise<PaymentLinkView[]> {
    const qb = this.ds
      .getRepository(PaymentLink)
      .createQueryBuilder('l')
      .orderBy('l.created_at', 'DESC');
    if (q.orderId) qb.andWhere('l.order_id = :o', { o: q.orderId });
    if (q.status) qb.andWhere('l.status = :s', { s: q.status });
    const links = await qb.take(q.limit).skip(q.offset).getMany();
    // One query for every link's attempt, not one per link.
    const attempts = await this.ds.query<AttemptRef[]>(
      `SELECT id, attempt_no, provider_payment_id FROM payment_attempts WHERE id = ANY($1::uuid[])`,
      [links.map((l) => l.attemptId)],
    );
    const byId = new Map(attempts.map((a) => [a.id, a]));
    return Promise.all(links.map((l) => this.view(l, byId.get(l.attemptId))));
  }

  async cancel(id: string, actor: string): Promise<PaymentLinkView> {
    const link = await this.ds.getRepository(PaymentLink).findOneBy({ id });
    if (!link) throw new NotFoundException(`id: no payment link "${id}"`);
    if (link.status === 'cancelled') return this.view(link);
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
      const fresh = await this.get(id);
      throw new ConflictException(`status: a ${fresh.status} link cannot be cancelled`);
    }
    return this.get(id);
  }

  async resend(id: string, actor: string): Promise<PaymentLinkView> {
    const view = await this.get(id);
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

  private async view(link: PaymentLink, known?: AttemptRef): Promise<PaymentLinkView> {
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
