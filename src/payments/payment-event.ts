import type { PaymentStatus } from '../domain/payment-status';

export const PAYMENT_EVENT_SCHEMA_VERSION = 1;

/** Published as schemas/payment-event.v1.schema.json; consumers see only this, never VPOS. */
export interface PaymentEventV1 {
  schemaVersion: 1;
  id: string;
  provider: 'vpos';
  providerEventId: string | null;
  providerPaymentId: string | null;
  orderId: string;
  attemptId: string | null;
  attemptNo: number | null;
  type: PaymentStatus;
  previousStatus: PaymentStatus | null;
  orderStatus: PaymentStatus;
  applied: boolean;
  amountMinor: number | null;
  currency: string | null;
  refundedAmountMinor: number | null;
  customer: { phone: string | null; id: string | null };
  /** CRM references by each manifest's `crmRefKey` (`bitrix24DealId`, `amocrmLeadId`). */
  crm: Partial<Record<string, string>>;
  occurredAt: string;
  verifiedAt: string;
  verifiedBy: 'status_lookup' | 'scheduler' | 'operator';
  claimedStatus: string | null;
  mismatches: Mismatch[];
  flags: string[];
  rawEventId: string | null;
}

export interface Mismatch {
  field: 'orderId' | 'amountMinor' | 'currency' | 'status' | 'session';
  source: 'webhook' | 'record' | 'lookup';
  expected: string | number | null;
  actual: string | number | null;
}
