import { parseSheetsSettings, sheetConfig } from './google-sheets.settings';

describe('google-sheets settings', () => {
  it('defaults: every column, Armenian headers, Yerevan time', () => {
    const cfg = sheetConfig(parseSheetsSettings({ spreadsheetId: '1AbCdEfGhIjKlMnOp_q' }));
    expect(cfg.columns[0]).toBe('orderId');
    expect(cfg.columns).toHaveLength(13);
    expect(cfg.headers[0]).toBe('Պատվեր');
    expect(cfg.timeZone).toBe('Asia/Yerevan');
  });

  it('columns, language and header overrides', () => {
    const cfg = sheetConfig(
      parseSheetsSettings({
        columns: ['status', 'orderId', 'amount'],
        language: 'ru',
        headers: { amount: 'Sum, AMD' },
      }),
    );
    expect(cfg.headers).toEqual(['Статус', 'Заказ', 'Sum, AMD']);
  });

  it.each([
    [{ spreadsheetId: 'no spaces!' }, 'settings.spreadsheetId'],
    [{ columns: ['orderId', 'colour'] }, 'settings.columns'],
    [{ columns: ['status'] }, 'settings.columns: must include orderId'],
    [{ columns: ['orderId', 'orderId'] }, 'settings.columns'],
    [{ headers: { amount: 'x' }, columns: ['orderId'] }, 'settings.headers.amount'],
    [{ headers: { amount: '' } }, 'settings.headers.amount'],
    [{ language: 'de' }, 'settings.language'],
    [{ timeZone: 'Mars/Olympus' }, 'settings.timeZone'],
    [{ rateLimit: { capacity: 0, refillPerSecond: 1 } }, 'settings.rateLimit.capacity'],
    [{ batchSize: 5000 }, 'settings.batchSize'],
    [{ sheet: 'x' }, 'settings.sheet'],
  ])('%j is refused naming %s', (raw, field) => {
    expect(() => parseSheetsSettings(raw)).toThrow(field);
  });
});
