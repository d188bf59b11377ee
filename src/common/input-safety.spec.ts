import { findUnsafeText, nestsDeeperThan } from './input-safety';

describe('input safety', () => {
  it('measures nesting on the raw bytes, ignoring brackets inside strings', () => {
    const nested = (n: number) => Buffer.from('['.repeat(n) + ']'.repeat(n));
    expect(nestsDeeperThan(nested(32), 32)).toBe(false);
    expect(nestsDeeperThan(nested(33), 32)).toBe(true);
    expect(nestsDeeperThan(nested(100_000), 32)).toBe(true);
    expect(nestsDeeperThan(Buffer.from(JSON.stringify({ a: '[[[[{{{{', b: '\\"[[[' })), 2)).toBe(
      false,
    );
    expect(nestsDeeperThan(Buffer.from('{"a":{"b":{"c":1}}}'), 2)).toBe(true);
  });

  it('names the path of the first NUL or lone surrogate, in strings and keys (printably)', () => {
    expect(findUnsafeText({ customer: { name: 'A\u0000' } })).toBe('customer.name');
    expect(findUnsafeText({ metadata: { tags: ['ok', 'x\ud800'] } })).toBe('metadata.tags[1]');
    expect(findUnsafeText({ a: '\udc00' })).toBe('a');
    expect(findUnsafeText({ m: { 'k\u0000': 1 } })).toBe('m.k\\u0000');
    expect(findUnsafeText(['\u0000'])).toBe('body[0]');
    expect(findUnsafeText('x\u0000', 'orderId')).toBe('orderId');
    // A whole surrogate pair is a real character.
    expect(findUnsafeText({ name: 'Ani 😀', n: 5, b: null, t: true })).toBeUndefined();
  });

  it('walks deep values without recursion', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const path = findUnsafeText({ d: deep })!;
    expect(path).toMatch(/^….*\[0\]$/);
    expect(path.length).toBeLessThanOrEqual(201);
  });
});
