import { LINGER_MS, lingerMs } from './delivery-linger';

const BITRIX = { capacity: 50, refillPerSecond: 2 };

describe('lingerMs', () => {
  it('sends at once while the bucket holds at least half its capacity', () => {
    expect(lingerMs(BITRIX, 50, 0)).toBe(0);
    expect(lingerMs(BITRIX, 48, 0)).toBe(0);
    expect(lingerMs(BITRIX, 25, 0)).toBe(0);
  });

  it('below half, waits until the bucket is back at half, no longer', () => {
    expect(lingerMs(BITRIX, 24, 0)).toBe(500);
    expect(lingerMs(BITRIX, 20, 0)).toBe(2500);
  });

  it('never keeps a row past LINGER_MS of its age', () => {
    expect(lingerMs(BITRIX, 10, 0)).toBe(LINGER_MS);
    expect(lingerMs(BITRIX, 10, LINGER_MS - 300)).toBe(300);
    expect(lingerMs(BITRIX, 10, LINGER_MS + 1)).toBe(0);
  });

  it('never waits with a bucket of one request', () => {
    expect(lingerMs({ capacity: 1, refillPerSecond: 5 }, 0.5, 0)).toBe(0);
  });
});
