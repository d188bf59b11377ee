import { faultRatio, firesNow } from './fault-ratio';

describe('fault ratio', () => {
  it('fails the given share of matching requests, evenly spread', () => {
    const half = { ratio: faultRatio(0.5), seen: 0 };
    expect(Array.from({ length: 6 }, () => firesNow(half))).toEqual([
      false,
      true,
      false,
      true,
      false,
      true,
    ]);
    const third = { ratio: faultRatio(1 / 3), seen: 0 };
    expect(Array.from({ length: 9 }, () => firesNow(third)).filter(Boolean)).toHaveLength(3);
    const all = { ratio: faultRatio(undefined), seen: 0 };
    expect([firesNow(all), firesNow(all)]).toEqual([true, true]);
  });

  it('refuses a ratio outside (0, 1]', () => {
    for (const bad of [0, -0.5, 1.5, Number.NaN]) expect(() => faultRatio(bad)).toThrow('ratio');
  });
});
