import { rateLimitKey } from './rate-limiter';

describe('rateLimitKey', () => {
  const conn = (account: Record<string, unknown>) => ({ id: 'c1', type: 'google-sheets', account });

  it('is the account when the connection has one, else the connection', () => {
    expect(rateLimitKey({ ...conn({ accountKey: 'shop.bitrix24.ru' }), type: 'bitrix24' })).toBe(
      'bitrix24:shop.bitrix24.ru',
    );
    expect(rateLimitKey(conn({}))).toBe('connection:c1');
  });

  it('is the quota identity when the account names one: two sheets of one key share it', () => {
    const a = conn({
      accountKey: 'sa@p.iam.gserviceaccount.com/sheetA1234567',
      quotaKey: 'sa@p.iam.gserviceaccount.com',
    });
    const b = conn({
      accountKey: 'sa@p.iam.gserviceaccount.com/sheetB1234567',
      quotaKey: 'sa@p.iam.gserviceaccount.com',
    });
    expect(rateLimitKey(a)).toBe('google-sheets:sa@p.iam.gserviceaccount.com');
    expect(rateLimitKey(b)).toBe(rateLimitKey(a));
  });
});
