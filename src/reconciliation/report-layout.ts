import { mapVposStatus } from '../providers/vpos/vpos-status';
import type { PaymentStatus } from '../domain/payment-status';

export const REPORT_FIELDS = [
  'provider_reference',
  'order_id',
  'amount_minor',
  'currency',
  'status',
  'paid_at',
  'refund_amount_minor',
] as const;
export type ReportField = (typeof REPORT_FIELDS)[number];

export type ColumnMap = Record<ReportField, string>;

export const DEFAULT_COLUMNS: ColumnMap = Object.fromEntries(
  REPORT_FIELDS.map((f) => [f, f]),
) as ColumnMap;

export const REPORT_STATUSES = ['paid', 'failed', 'cancelled', 'refunded', 'pending'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

const AS_REPORT: Partial<Record<PaymentStatus, ReportStatus>> = {
  paid: 'paid',
  failed: 'failed',
  cancelled: 'cancelled',
  expired: 'cancelled',
  refunded: 'refunded',
  partially_refunded: 'refunded',
  pending: 'pending',
  created: 'pending',
};

export function asReportStatus(status: PaymentStatus): ReportStatus | undefined {
  return AS_REPORT[status];
}

/**
 * Merges a partial mapping over `base`; returns the problem (naming `field`) or the map.
 * Two fields read from one column would silently shadow each other, so that is refused too.
 */
export function mergeColumns(
  base: ColumnMap,
  override: unknown,
  field: string,
): { columns: ColumnMap } | { problem: string } {
  if (override === undefined || override === null) return { columns: base };
  if (typeof override !== 'object' || Array.isArray(override)) {
    return { problem: `${field}: must be an object of field → column name` };
  }
  const columns = { ...base };
  for (const [key, value] of Object.entries(override as Record<string, unknown>)) {
    if (!(REPORT_FIELDS as readonly string[]).includes(key)) {
      return { problem: `${field}.${key}: unknown field (one of ${REPORT_FIELDS.join(', ')})` };
    }
    if (typeof value !== 'string' || !value.trim() || value.length > 128) {
      return { problem: `${field}.${key}: must be a column name of 1-128 characters` };
    }
    columns[key as ReportField] = value.trim();
  }
  const names = Object.values(columns);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) return { problem: `${field}: column "${dup}" is mapped to two fields` };
  return { columns };
}

export interface ParsedRow {
  line: number;
  providerReference: string | null;
  orderId: string | null;
  amountMinor: number | null;
  currency: string | null;
  status: ReportStatus;
  paidAt: Date | null;
  refundAmountMinor: number | null;
}

export type RowOutcome =
  | { ok: true; row: ParsedRow }
  | {
      ok: false;
      line: number;
      problem: string;
      providerReference: string | null;
      orderId: string | null;
    };

const MAX_TEXT = 128;
/** PostgreSQL text refuses NUL and lone surrogates; control characters are never an id. */
const IDENTIFIER = /^[^\p{Cc}\p{Cf}\p{Co}\p{Cs}]{1,128}$/u;

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const s = (
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value)
  ).trim();
  return s === '' ? null : s;
}

function minor(value: unknown): number | null | 'bad' {
  const s = text(value);
  if (s === null) return null;
  if (!/^-?\d{1,15}$/.test(s)) return 'bad';
  return Number(s);
}

export function parseRow(
  record: Record<string, unknown>,
  line: number,
  columns: ColumnMap,
  statusMap: Record<string, PaymentStatus>,
): RowOutcome {
  const get = (f: ReportField) => record[columns[f]];
  const providerReference = text(get('provider_reference'));
  const orderId = text(get('order_id'));
  const bad = (problem: string): RowOutcome => ({
    ok: false,
    line,
    problem,
    providerReference: providerReference?.slice(0, MAX_TEXT) ?? null,
    orderId: orderId?.slice(0, MAX_TEXT) ?? null,
  });
  if (!providerReference) return bad(`${columns.provider_reference}: is required`);
  for (const [f, v] of [
    ['provider_reference', providerReference],
    ['order_id', orderId],
  ] as const) {
    if (v && !IDENTIFIER.test(v)) {
      return bad(`${columns[f]}: must be 1-${MAX_TEXT} printable characters`);
    }
  }
  const amountMinor = minor(get('amount_minor'));
  if (amountMinor === 'bad' || amountMinor === null || amountMinor < 0) {
    return bad(`${columns.amount_minor}: must be a non-negative integer of minor units`);
  }
  const currency = text(get('currency'))?.toUpperCase() ?? null;
  if (!currency || !/^[A-Z]{3}$/.test(currency)) {
    return bad(`${columns.currency}: must be a 3-letter currency code`);
  }
  const rawStatus = text(get('status'));
  const mapped = rawStatus ? mapVposStatus(rawStatus, statusMap) : undefined;
  const status = mapped?.known ? AS_REPORT[mapped.status] : undefined;
  if (!status) return bad(`${columns.status}: unknown status "${(rawStatus ?? '').slice(0, 32)}"`);
  const paidText = text(get('paid_at'));
  const paidAt = paidText ? new Date(paidText) : null;
  if (paidAt && Number.isNaN(paidAt.getTime())) {
    return bad(`${columns.paid_at}: must be an ISO 8601 date-time`);
  }
  const refund = minor(get('refund_amount_minor'));
  if (refund === 'bad' || (refund !== null && refund < 0)) {
    return bad(`${columns.refund_amount_minor}: must be a non-negative integer of minor units`);
  }
  return {
    ok: true,
    row: {
      line,
      providerReference,
      orderId,
      amountMinor,
      currency,
      status,
      paidAt,
      refundAmountMinor: refund,
    },
  };
}
