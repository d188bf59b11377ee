import { formatAmount, formatYerevanTime } from '../common/format';
import { DEFAULT_TEMPLATES, whatsappMessage } from './whatsapp-message';

describe('WhatsApp message', () => {
  it('formats amounts the Armenian way', () => {
    expect(formatAmount(1_250_000, 'AMD', 2)).toBe('12 500 ֏');
    expect(formatAmount(1_250_050, 'AMD', 2)).toBe('12 500.50 ֏');
    expect(formatAmount(99, 'AMD', 2)).toBe('0.99 ֏');
    expect(formatAmount(123_456_700, 'USD', 2)).toBe('1 234 567 $');
    expect(formatAmount(500, 'GEL', 2)).toBe('5 GEL');
  });

  it('shows expiry in Yerevan time', () => {
    expect(formatYerevanTime(new Date('2026-11-24T14:30:00Z'))).toBe('24.11.2026 18:30');
  });

  it('fills the template and builds a wa.me link to the customer', () => {
    const m = whatsappMessage(
      {
        orderId: 'A-17',
        amountMinor: 1_250_000,
        currency: 'AMD',
        exponent: 2,
        description: 'consultation',
        url: 'https://pay.example/ps_1',
        expiresAt: new Date('2026-11-24T14:30:00Z'),
        phone: '+37491234567',
      },
      DEFAULT_TEMPLATES.en,
    );
    expect(m.text).toBe(
      'Hello! Order A-17 (consultation).\nAmount due: 12 500 ֏.\nPay here: https://pay.example/ps_1\nThe link is valid until 24.11.2026 18:30.',
    );
    expect(m.url).toBe(`https://wa.me/37491234567?text=${encodeURIComponent(m.text)}`);
  });

  it('has Armenian and Russian defaults with every placeholder', () => {
    for (const t of [DEFAULT_TEMPLATES.hy, DEFAULT_TEMPLATES.ru]) {
      for (const key of ['{orderId}', '{amount}', '{url}', '{expiresAt}']) expect(t).toContain(key);
    }
  });
});
