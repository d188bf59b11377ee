import { FINAL_PAYMENT_STATUSES, PaymentStatus } from '../../domain/payment-status';

export const WRITTEN_STATUSES: ReadonlySet<PaymentStatus> = new Set(FINAL_PAYMENT_STATUSES);

/** A won deal or lead is not moved by these (a manager's or an earlier payment's win stands). */
export const KEEPS_WON: ReadonlySet<PaymentStatus> = new Set<PaymentStatus>([
  'paid',
  'failed',
  'cancelled',
  'expired',
]);
