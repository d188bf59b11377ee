import { formatAmount, formatYerevanTime } from '../../common/format';
import type { PaymentEventV1 } from '../../payments/payment-event';
import type { PaymentStatus } from '../../domain/payment-status';
import type { DeliveryLink } from '../crm-connector';

export const NOTE_LANGUAGES = ['hy', 'ru', 'en'] as const;
export type NoteLanguage = (typeof NOTE_LANGUAGES)[number];

// CRM write APIs take no idempotency key: a retry looks for the event's marker before adding another.
export function noteMarker(eventId: string): string {
  return `[vposhub:${eventId}]`;
}

interface NoteWords {
  headlines: Record<PaymentStatus, string>;
  order: string;
  payment: string;
  attempt: string;
  refunded: string;
  link: string;
  mismatch: (field: string, source: string, actual: string, expected: string) => string;
  flags: string;
  verified: (at: string, by: string) => string;
}

const WORDS: Record<NoteLanguage, NoteWords> = {
  en: {
    headlines: {
      created: 'Payment link created',
      pending: 'Payment pending',
      paid: 'Payment received',
      failed: 'Payment failed',
      cancelled: 'Payment cancelled',
      expired: 'Payment link expired',
      refunded: 'Payment refunded',
      partially_refunded: 'Payment partially refunded',
      manual_review: 'Payment needs a manual review',
    },
    order: 'Order',
    payment: 'VPOS payment',
    attempt: 'attempt',
    refunded: 'Refunded',
    link: 'Payment link',
    mismatch: (f, s, a, e) => `Mismatch in ${f}: ${s} says ${a}, expected ${e}`,
    flags: 'Flags',
    verified: (at, by) => `Verified ${at} (Yerevan time) by ${by}`,
  },
  ru: {
    headlines: {
      created: 'Создана ссылка на оплату',
      pending: 'Оплата в процессе',
      paid: 'Оплата получена',
      failed: 'Оплата не прошла',
      cancelled: 'Оплата отменена',
      expired: 'Ссылка на оплату истекла',
      refunded: 'Оплата возвращена',
      partially_refunded: 'Оплата частично возвращена',
      manual_review: 'Оплату нужно проверить вручную',
    },
    order: 'Заказ',
    payment: 'платёж VPOS',
    attempt: 'попытка',
    refunded: 'Возвращено',
    link: 'Ссылка на оплату',
    mismatch: (f, s, a, e) => `Расхождение в ${f}: ${s} сообщает ${a}, ожидалось ${e}`,
    flags: 'Отметки',
    verified: (at, by) => `Проверено ${at} (время Еревана), источник: ${by}`,
  },
  hy: {
    headlines: {
      created: 'Վճարման հղումը ստեղծված է',
      pending: 'Վճարումը ընթացքում է',
      paid: 'Վճարումը ստացված է',
      failed: 'Վճարումը ձախողվեց',
      cancelled: 'Վճարումը չեղարկված է',
      expired: 'Վճարման հղման ժամկետն անցել է',
      refunded: 'Վճարումը վերադարձված է',
      partially_refunded: 'Վճարումը մասնակի վերադարձված է',
      manual_review: 'Վճարումը պահանջում է ձեռքով ստուգում',
    },
    order: 'Պատվեր',
    payment: 'VPOS վճարում',
    attempt: 'փորձ',
    refunded: 'Վերադարձված',
    link: 'Վճարման հղում',
    mismatch: (f, s, a, e) => `Անհամապատասխանություն ${f}-ում. ${s}՝ ${a}, սպասվում էր ${e}`,
    flags: 'Նշումներ',
    verified: (at, by) => `Ստուգված է ${at} (Երևանի ժամով), աղբյուր՝ ${by}`,
  },
};

export function money(
  amountMinor: number | null,
  currency: string | null,
  exponent: number,
): string {
  if (amountMinor === null) return '';
  return currency ? formatAmount(amountMinor, currency, exponent) : String(amountMinor);
}

export function paymentNoteText(
  event: PaymentEventV1,
  link: DeliveryLink | null,
  exponent: number,
  language: NoteLanguage = 'en',
): string {
  const w = WORDS[language];
  const amount = money(event.amountMinor, event.currency, exponent);
  const refs = [
    `${w.order} ${event.orderId}`,
    event.providerPaymentId ? `${w.payment} ${event.providerPaymentId}` : '',
    event.attemptNo !== null ? `${w.attempt} ${event.attemptNo}` : '',
  ].filter(Boolean);
  const lines = [`${w.headlines[event.type]}${amount ? `: ${amount}` : ''}`, refs.join(', ')];
  if (event.refundedAmountMinor) {
    lines.push(`${w.refunded}: ${money(event.refundedAmountMinor, event.currency, exponent)}`);
  }
  if (link?.url) lines.push(`${w.link}: ${link.url}`);
  for (const m of event.mismatches) {
    lines.push(w.mismatch(m.field, m.source, String(m.actual), String(m.expected)));
  }
  if (event.flags.length > 0) lines.push(`${w.flags}: ${event.flags.join(', ')}`);
  lines.push(w.verified(formatYerevanTime(new Date(event.verifiedAt)), event.verifiedBy));
  lines.push(noteMarker(event.id));
  return lines.join('\n');
}
