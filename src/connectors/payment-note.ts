import type { PaymentEventV1 } from '../payments/payment-event';
import type { PaymentStatus } from '../payments/payment-status';
import { formatAmount, formatYerevanTime } from '../payments/whatsapp-message';
import type { DeliveryLink } from './crm-connector';

/**
 * In every note or comment a CRM connector adds. CRM write APIs take no idempotency key, so a
 * retry looks for the event's marker before it adds another (exactly-once effect).
 */
export function noteMarker(eventId: string): string {
  return `[vposhub:${eventId}]`;
}

const HEADLINES: Record<PaymentStatus, string> = {
  created: 'Payment link created',
  pending: 'Payment pending',
  paid: 'Payment received',
  failed: 'Payment failed',
  cancelled: 'Payment cancelled',
  expired: 'Payment link expired',
  refunded: 'Payment refunded',
  partially_refunded: 'Payment partially refunded',
  manual_review: 'Payment needs a manual review',
};

/** An amount as Armenians write it, or '' when there is none. */
export function money(
  amountMinor: number | null,
  currency: string | null,
  exponent: number,
): string {
  if (amountMinor === null) return '';
  return currency ? formatAmount(amountMinor, currency, exponent) : String(amountMinor);
}

/**
 * The text a CRM user reads for one event (a Bitrix24 timeline comment, an amoCRM note): what
 * happened, the amounts, the references, and the marker last. `exponent` is the currency's.
 */
export function paymentNoteText(
  event: PaymentEventV1,
  link: DeliveryLink | null,
  exponent: number,
): string {
  const amount = money(event.amountMinor, event.currency, exponent);
  const refs = [
    `Order ${event.orderId}`,
    event.providerPaymentId ? `VPOS payment ${event.providerPaymentId}` : '',
    event.attemptNo !== null ? `attempt ${event.attemptNo}` : '',
  ].filter(Boolean);
  const lines = [`${HEADLINES[event.type]}${amount ? `: ${amount}` : ''}`, refs.join(', ')];
  if (event.refundedAmountMinor) {
    lines.push(`Refunded: ${money(event.refundedAmountMinor, event.currency, exponent)}`);
  }
  if (link?.url) lines.push(`Payment link: ${link.url}`);
  for (const m of event.mismatches) {
    lines.push(`Mismatch in ${m.field}: ${m.source} says ${m.actual}, expected ${m.expected}`);
  }
  if (event.flags.length > 0) lines.push(`Flags: ${event.flags.join(', ')}`);
  lines.push(
    `Verified ${formatYerevanTime(new Date(event.verifiedAt))} (Yerevan time) by ${event.verifiedBy}`,
  );
  lines.push(noteMarker(event.id));
  return lines.join('\n');
}
