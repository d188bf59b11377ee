/** Message texts for managers to send with a payment link (Armenian, Russian, English). */
export type MessageLanguage = 'hy' | 'ru' | 'en';

export const DEFAULT_TEMPLATES: Record<MessageLanguage, string> = {
  hy:
    'Բարև Ձեզ։ Պատվեր {orderId}{description}։\n' +
    'Վճարման ենթակա գումարը՝ {amount}։\n' +
    'Վճարել կարող եք այս հղումով՝ {url}\n' +
    'Հղումը գործում է մինչև {expiresAt}։',
  ru:
    'Здравствуйте! Заказ {orderId}{description}.\n' +
    'Сумма к оплате: {amount}.\n' +
    'Оплатить можно по ссылке: {url}\n' +
    'Ссылка действует до {expiresAt}.',
  en:
    'Hello! Order {orderId}{description}.\n' +
    'Amount due: {amount}.\n' +
    'Pay here: {url}\n' +
    'The link is valid until {expiresAt}.',
};

const SYMBOLS: Record<string, string> = { AMD: '֏', USD: '$', EUR: '€', RUB: '₽' };

/**
 * Amount as Armenians write it: groups of three separated by spaces, decimals only when there
 * are any, the dram sign after: 1250000 minor AMD → "12 500 ֏"; 1250050 → "12 500.50 ֏".
 */
export function formatAmount(amountMinor: number, currency: string, exponent: number): string {
  const unit = 10 ** exponent;
  const whole = Math.floor(amountMinor / unit);
  const fraction = amountMinor % unit;
  const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  const text = fraction ? `${grouped}.${String(fraction).padStart(exponent, '0')}` : grouped;
  return `${text} ${SYMBOLS[currency] ?? currency}`;
}

/** Date and time in Yerevan (UTC+4, no daylight saving), e.g. "24.11.2026 18:30". */
export function formatYerevanTime(date: Date): string {
  const local = new Date(date.getTime() + 4 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${p(local.getUTCDate())}.${p(local.getUTCMonth() + 1)}.${local.getUTCFullYear()} ` +
    `${p(local.getUTCHours())}:${p(local.getUTCMinutes())}`
  );
}

export interface MessageInput {
  orderId: string;
  amountMinor: number;
  currency: string;
  exponent: number;
  description?: string | null;
  url: string;
  expiresAt: Date;
  phone?: string | null;
}

/** The ready text and a wa.me URL (to the customer's chat when the phone is known). */
export function whatsappMessage(
  input: MessageInput,
  template: string,
): { text: string; url: string } {
  const values: Record<string, string> = {
    orderId: input.orderId,
    amount: formatAmount(input.amountMinor, input.currency, input.exponent),
    description: input.description ? ` (${input.description})` : '',
    url: input.url,
    expiresAt: formatYerevanTime(input.expiresAt),
  };
  const text = template.replace(/\{(\w+)\}/g, (all, key: string) => values[key] ?? all);
  const to = input.phone ? input.phone.replace(/^\+/, '') : '';
  return { text, url: `https://wa.me/${to}?text=${encodeURIComponent(text)}` };
}
