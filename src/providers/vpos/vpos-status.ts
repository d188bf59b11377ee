import { isPaymentStatus, PaymentStatus } from '../../domain/payment-status';

/** The assumed VPOS status table; VPOS_STATUS_MAP entries are merged over it. */
export const DEFAULT_VPOS_STATUS_MAP: Readonly<Record<string, PaymentStatus>> = {
  created: 'created',
  pending: 'pending',
  processing: 'pending',
  paid: 'paid',
  succeeded: 'paid',
  completed: 'paid',
  failed: 'failed',
  declined: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  expired: 'expired',
  refunded: 'refunded',
  partially_refunded: 'partially_refunded',
};

export interface MappedStatus {
  status: PaymentStatus;
  known: boolean;
}

/** Anything we do not recognise goes to manual review, never to paid. */
export function mapVposStatus(
  providerStatus: string | undefined,
  overrides: Record<string, PaymentStatus> = {},
): MappedStatus {
  const key = (providerStatus ?? '').trim().toLowerCase();
  const status = overrides[key] ?? DEFAULT_VPOS_STATUS_MAP[key];
  return status ? { status, known: true } : { status: 'manual_review', known: false };
}

export function parseVposStatusMap(
  entries: Record<string, unknown>,
  problems: string[],
): Record<string, PaymentStatus> {
  const statusMap: Record<string, PaymentStatus> = {};
  for (const [providerStatus, ours] of Object.entries(entries)) {
    if (isPaymentStatus(ours)) statusMap[providerStatus.toLowerCase()] = ours;
    else problems.push(`VPOS_STATUS_MAP.${providerStatus} must be one of our payment statuses`);
  }
  return statusMap;
}
