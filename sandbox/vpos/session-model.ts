/**
 * Payment-session model of the VPOS emulator: types, request validation, the status machine and
 * the webhook event shape. Written from docs/vpos.md only (no hub code).
 */
import { randomBytes } from 'node:crypto';

export const PAYMENT_STATUSES = [
  'created',
  'pending',
  'paid',
  'failed',
  'cancelled',
  'expired',
  'refunded',
  'partially_refunded',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** ISO 4217 exponents of the currencies the emulator accepts. */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = {
  AMD: 2,
  USD: 2,
  EUR: 2,
  RUB: 2,
};

export interface VposCustomer {
  email?: string;
  phone?: string;
  name?: string;
}

export interface VposSession {
  id: string;
  status: PaymentStatus;
  merchantOrderId: string;
  amountMinor: number;
  currency: string;
  provider: string;
  customer: VposCustomer;
  metadata: Record<string, unknown>;
  returnUrl: string | null;
  checkoutUrl: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  paidAt?: string;
  refundedAmountMinor?: number;
}

export interface CreateSessionInput {
  merchantOrderId: string;
  amountMinor: number;
  currency: string;
  provider: string;
  returnUrl: string | null;
  customer: VposCustomer;
  metadata: Record<string, unknown>;
  expiresAt: string | null;
}

export interface VposEventData {
  id: string;
  merchantOrderId: string;
  amountMinor: number;
  currency: string;
  status: PaymentStatus;
  refundedAmountMinor?: number;
}

/** The JSON body POSTed to the webhook URL. */
export interface VposWebhookEvent {
  id: string;
  type: `payment.${PaymentStatus}`;
  createdAt: string;
  data: VposEventData;
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** An error that maps to an HTTP answer `{ error: { code, message, field? } }`. */
export class EmulatorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'EmulatorError';
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field !== undefined ? { field: this.field } : {}),
      },
    };
  }
}

export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

export function isPaymentStatus(value: unknown): value is PaymentStatus {
  return typeof value === 'string' && (PAYMENT_STATUSES as readonly string[]).includes(value);
}

const TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  created: ['pending', 'paid', 'failed', 'cancelled', 'expired'],
  pending: ['paid', 'failed', 'cancelled', 'expired'],
  paid: ['refunded', 'partially_refunded'],
  partially_refunded: ['refunded', 'partially_refunded'],
  failed: [],
  cancelled: [],
  expired: [],
  refunded: [],
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** created and pending are the only statuses a buyer can still act on. */
export function isOpen(status: PaymentStatus): boolean {
  return status === 'created' || status === 'pending';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(field: string, message: string, code = 'validation_error'): EmulatorError {
  return new EmulatorError(422, code, message, field);
}

const E164 = /^\+[0-9]{8,15}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function optionalString(
  source: Record<string, unknown>,
  key: string,
  field: string,
  max: number,
): string | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw invalid(field, `${field} must be a non-empty string of at most ${max} characters`);
  }
  return value;
}

function parseCustomer(value: unknown): VposCustomer {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw invalid('customer', 'customer must be an object');
  const customer: VposCustomer = {};
  const email = optionalString(value, 'email', 'customer.email', 254);
  if (email !== undefined) {
    if (!EMAIL.test(email))
      throw invalid('customer.email', 'customer.email is not an email address');
    customer.email = email;
  }
  const phone = optionalString(value, 'phone', 'customer.phone', 16);
  if (phone !== undefined) {
    if (!E164.test(phone)) {
      throw invalid('customer.phone', 'customer.phone must be E.164: "+" and 8-15 digits');
    }
    customer.phone = phone;
  }
  const name = optionalString(value, 'name', 'customer.name', 200);
  if (name !== undefined) customer.name = name;
  return customer;
}

function parseReturnUrl(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString();
    } catch {
      // fall through to the validation error
    }
  }
  throw invalid('returnUrl', 'returnUrl must be an absolute http(s) URL');
}

function parseExpiresAt(value: unknown, nowMs: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) {
    throw invalid('expiresAt', 'expiresAt must be an ISO 8601 date-time');
  }
  const at = Date.parse(value);
  if (at <= nowMs) throw invalid('expiresAt', 'expiresAt must be in the future');
  return new Date(at).toISOString();
}

/** Validates a create-session body; throws EmulatorError (400/422) on the first bad field. */
export function parseCreateSessionBody(body: unknown, nowMs: number): CreateSessionInput {
  if (!isPlainObject(body)) {
    throw new EmulatorError(400, 'invalid_request', 'request body must be a JSON object');
  }
  const { merchantOrderId, amountMinor, currency } = body;
  if (typeof merchantOrderId !== 'string' || merchantOrderId.trim() === '') {
    throw invalid('merchantOrderId', 'merchantOrderId is required');
  }
  if (merchantOrderId.length > 64) {
    throw invalid('merchantOrderId', 'merchantOrderId must be at most 64 characters');
  }
  if (typeof amountMinor !== 'number' || !Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw invalid('amountMinor', 'amountMinor must be a positive integer in minor units');
  }
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    throw invalid('currency', 'currency must be 3 upper-case letters (ISO 4217)');
  }
  if (CURRENCY_EXPONENTS[currency] === undefined) {
    throw invalid('currency', `currency ${currency} is not supported`, 'unsupported_currency');
  }
  const provider = optionalString(body, 'provider', 'provider', 64) ?? 'manual';
  const metadata = body.metadata ?? {};
  if (!isPlainObject(metadata)) throw invalid('metadata', 'metadata must be an object');
  return {
    merchantOrderId,
    amountMinor,
    currency,
    provider,
    returnUrl: parseReturnUrl(body.returnUrl),
    customer: parseCustomer(body.customer),
    metadata,
    expiresAt: parseExpiresAt(body.expiresAt, nowMs),
  };
}

/** JSON with sorted object keys, so two bodies that differ only in key order compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function buildEvent(session: VposSession, createdAt: string): VposWebhookEvent {
  const data: VposEventData = {
    id: session.id,
    merchantOrderId: session.merchantOrderId,
    amountMinor: session.amountMinor,
    currency: session.currency,
    status: session.status,
  };
  if (session.refundedAmountMinor !== undefined) {
    data.refundedAmountMinor = session.refundedAmountMinor;
  }
  return { id: randomId('evt'), type: `payment.${session.status}`, createdAt, data };
}
