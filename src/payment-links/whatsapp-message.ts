import { formatAmount, formatYerevanTime } from '../common/format';

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
