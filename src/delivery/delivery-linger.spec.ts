import { LINGER_MS, lingerMs } from './delivery-linger';

const BITRIX = { capacity: 50, refillPerSecond: 2 };

describe('lingerMs', () => {
  it('sends at once from a full or nearly full bucket', () => {
    expect(lingerMs(BITRIX, 50, 0)).toBe(0);
    expect(lingerMs(BITRIX, 49.5, 0)).toBe(0);
  });

  it('waits until the bucket would be full, no longer', () => {
    expect(lingerMs(BITRIX, 48, 0)).toBe(1000);
    expect(lingerMs(BITRIX, 45, 0)).toBe(2500);
  });

  it('never keeps a row past LINGER_MS of its age', () => {
    expect(lingerMs(BITRIX, 10, 0)).toBe(LINGER_MS);
    expect(lingerMs(BITRIX, 10, LINGER_MS - 300)).toBe(300);
    expect(lingerMs(BITRIX, 10, LINGER_MS + 1)).toBe(0);
  });
});
