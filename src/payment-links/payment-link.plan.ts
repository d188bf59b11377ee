import { UnprocessableEntityException } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import type { CrmRefs } from '../payments/payment-order.entity';
import type { LinkCustomer } from './payment-link.entity';
import type { CreatePaymentLinkDto } from './payment-links.dto';
import { normalizePhone } from './phone';
import type { Product } from './product.entity';

const METADATA_MAX_BYTES = 4096;

export interface PaymentLinkPlan {
  orderId: string;
  amountMinor: number;
  currency: string;
  customer: LinkCustomer;
  description: string | null;
  crm: CrmRefs;
  metadata: Record<string, unknown>;
  language: 'hy' | 'ru' | 'en';
  productId: string | null;
  expiresAt: Date;
}

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

export function requestHash(dto: CreatePaymentLinkDto): string {
  return createHash('sha256').update(canonical(dto)).digest('hex');
}

export function planPaymentLink(
  dto: CreatePaymentLinkDto,
  product: Product | null,
  links: AppConfig['links'],
  now = Date.now(),
): PaymentLinkPlan {
  if (product) {
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
  if (!links.currencies.includes(currency)) {
    throw new UnprocessableEntityException(
      `currency: ${currency} is not enabled (PAYMENT_LINK_CURRENCIES: ${links.currencies.join(', ')})`,
    );
  }
  const orderId =
    dto.orderId ??
    (product
      ? `P-${new Date(now).toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`
      : undefined);
  if (!orderId) throw new UnprocessableEntityException('orderId: required (or give a productId)');
  const customer = planCustomer(dto);
  if (dto.metadata && Buffer.byteLength(JSON.stringify(dto.metadata)) > METADATA_MAX_BYTES) {
    throw new UnprocessableEntityException(`metadata: at most ${METADATA_MAX_BYTES} bytes of JSON`);
  }
  return {
    orderId,
    amountMinor,
    currency,
    customer,
    description: dto.description ?? product?.description ?? product?.name ?? null,
    crm: { ...(dto.crm ?? {}) },
    metadata: dto.metadata ?? {},
    language: dto.language ?? links.language,
    productId: product?.id ?? null,
    expiresAt: planExpiry(dto, product, links, now),
  };
}

function planCustomer(dto: CreatePaymentLinkDto): LinkCustomer {
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
  return customer;
}

function planExpiry(
  dto: CreatePaymentLinkDto,
  product: Product | null,
  links: AppConfig['links'],
  now: number,
): Date {
  const max = links.maxTtlSeconds;
  if (dto.expiresAt !== undefined && dto.ttlSeconds !== undefined) {
    throw new UnprocessableEntityException(
      'expiresAt: give either expiresAt or ttlSeconds, not both',
    );
  }
  if (dto.expiresAt === undefined) {
    const ttl = dto.ttlSeconds ?? product?.defaultTtlSeconds ?? links.defaultTtlSeconds;
    if (ttl > max) throw new UnprocessableEntityException(`ttlSeconds: at most ${max}`);
    return new Date(now + ttl * 1000);
  }
  const expiresAt = new Date(dto.expiresAt);
  if (Number.isNaN(expiresAt.getTime())) {
    throw new UnprocessableEntityException('expiresAt: not a date-time this hub can store');
  }
  if (expiresAt.getTime() <= now + 60_000) {
    throw new UnprocessableEntityException('expiresAt: must be at least a minute in the future');
  }
  if (expiresAt.getTime() > now + max * 1000) {
    throw new UnprocessableEntityException(`expiresAt: at most ${max} seconds ahead`);
  }
  return expiresAt;
}
