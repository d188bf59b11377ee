import { isRefusal, linkAmount } from './crm-link-amount';
import { refusalKey, refusalText } from './crm-link-text';

const exp = (c: string) => (c === 'JPY' ? 0 : 2);
const read = (amount: string | null, currency: string | null = 'AMD', maxAmount?: number) =>
  linkAmount({ amount, currency }, { maxAmount }, ['AMD', 'USD', 'JPY'], exp);

describe('linkAmount', () => {
  it('turns the CRM amount into minor units of its currency', () => {
    expect(read('12500.00')).toEqual({ amountMinor: 1_250_000, currency: 'AMD' });
    expect(read('1500', 'JPY')).toEqual({ amountMinor: 1500, currency: 'JPY' });
    expect(read('0.1', 'usd')).toEqual({ amountMinor: 10, currency: 'USD' });
  });

  it('refuses no amount, a zero one, a currency not taken and an amount over the ceiling', () => {
    expect(read(null)).toEqual({ kind: 'no_amount' });
    expect(read('0.00')).toEqual({ kind: 'no_amount' });
    expect(read('-5')).toEqual({ kind: 'no_amount' });
    const currency = read('10', 'EUR');
    expect(currency).toMatchObject({ kind: 'currency', currency: 'EUR' });
    const over = read('600.00', 'USD', 500);
    expect(isRefusal(over) && refusalKey(over)).toBe('ceiling:600.00 USD');
    expect(isRefusal(over) && refusalText(over, 'en', 'deal')).toBe(
      'No payment link was made for this deal: the amount 600.00 USD is over the limit of 500.00 USD.',
    );
    expect(read('500.00', 'USD', 500)).toEqual({ amountMinor: 50_000, currency: 'USD' });
  });
});
