const SYMBOLS: Record<string, string> = { AMD: '֏', USD: '$', EUR: '€', RUB: '₽' };

// 1250000 minor AMD → "12 500 ֏"; 1250050 → "12 500.50 ֏": decimals only when there are any.
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
