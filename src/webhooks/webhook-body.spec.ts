import { findUnstorableText, parseJsonObject } from './webhook-body';

function check(json: string): string | undefined {
  const parsed = parseJsonObject(Buffer.from(json));
  if (!parsed.ok) throw new Error(parsed.message);
  return findUnstorableText(json, parsed.value);
}

describe('findUnstorableText', () => {
  it.each([
    ['{"a":"x\\u0000y"}', 'a'],
    ['{"data":{"items":[1,{"note":"\\ud800"}]}}', 'data.items[1].note'],
    ['{"a":"\\udc00x"}', 'a'],
    ['{"a":{"k\\u0000":1}}', 'a.k\\u0000'],
  ])('%s → %s', (json, path) => {
    expect(check(json)).toBe(path);
  });

  it.each([['{"a":"\\ud83d\\ude00"}'], ['{"a":"\\\\u0000"}'], ['{"a":"plain"}'], ['{"a":"é😀"}']])(
    'accepts %s',
    (json) => {
      expect(check(json)).toBeUndefined();
    },
  );

  it('handles any nesting depth without recursion', () => {
    const depth = 100_000;
    const json = `{"a":${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}}`;
    const path = check(json)!;
    expect(path.startsWith('…')).toBe(true);
    expect(path.length).toBeLessThanOrEqual(201);
  });
});
