import { lang } from './i18n';

const SYMBOLS: Record<string, string> = { AMD: '֏', USD: '$', EUR: '€', RUB: '₽' };
const EXPONENTS: Record<string, number> = { AMD: 2, USD: 2, EUR: 2, RUB: 2 };

let timeZone = 'Asia/Yerevan';
export const setTimeZone = (zone: string) => (timeZone = zone);

/** The instant a calendar day ("2026-12-05") starts in the hub's time zone, as ISO 8601. */
export function dayStart(day: string): string {
  const utc = Date.parse(`${day}T00:00:00Z`);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(utc));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const shown = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'));
  return new Date(utc - (shown - utc)).toISOString();
}

/** 1250000 minor AMD is "12 500 ֏": groups of three, decimals only when there are any. */
export function money(amountMinor: number | null | undefined, currency?: string | null): string {
  if (amountMinor === null || amountMinor === undefined) return '—';
  const exponent = EXPONENTS[currency ?? ''] ?? 2;
  const unit = 10 ** exponent;
  const whole = Math.floor(Math.abs(amountMinor) / unit);
  const fraction = Math.abs(amountMinor) % unit;
  const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  const sign = amountMinor < 0 ? '-' : '';
  const text = fraction ? `${grouped}.${String(fraction).padStart(exponent, '0')}` : grouped;
  return `${sign}${text} ${SYMBOLS[currency ?? ''] ?? currency ?? ''}`.trim();
}

export function time(value: string | Date | null | undefined): string {
  if (!value) return '—';
  const locale = { en: 'en-GB', ru: 'ru-RU', hy: 'hy-AM' }[lang()];
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    dateStyle: 'short',
    timeStyle: 'medium',
  }).format(new Date(value));
}

/** Minor units from what a person types in major units ("12 500" → 1250000). */
export function toMinor(text: string, currency = 'AMD'): number | undefined {
  const clean = text.replace(/[\s\u00a0]/g, '').replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(clean)) return undefined;
  return Math.round(Number(clean) * 10 ** (EXPONENTS[currency] ?? 2));
}
