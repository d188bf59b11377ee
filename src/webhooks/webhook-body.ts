export type JsonObjectResult = { ok: true; value: object } | { ok: false; message: string };

export function parseJsonObject(raw: Buffer): JsonObjectResult {
  if (raw.length === 0) return { ok: false, message: 'body: a JSON object is required' };
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return { ok: false, message: `body: malformed JSON (${(err as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, message: 'body: must be a JSON object' };
  }
  return { ok: true, value };
}

// Raw UTF-8 decoding never yields NUL inside a JSON string nor a lone surrogate: only escapes do.
const SUSPECT_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);
const SEGMENT_MAX = 64;
const PATH_MAX = 200;

interface Node {
  value: unknown;
  key: string | number | undefined;
  parent: Node | undefined;
}

/**
 * The path of the first key or string value PostgreSQL cannot store in text or jsonb (a NUL or
 * a lone UTF-16 surrogate), or undefined. Iterative, so any nesting depth JSON.parse accepted
 * is fine; paths are built only for the hit.
 */
export function findUnstorableText(text: string, value: unknown): string | undefined {
  if (!SUSPECT_ESCAPE.test(text)) return undefined;
  const stack: Node[] = [{ value, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === 'string') {
      if (unstorable(v)) return pathOf(node);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: node });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const entry: Node = { value: child as unknown, key: k, parent: node };
        if (unstorable(k)) return pathOf(entry);
        stack.push(entry);
      }
    }
  }
  return undefined;
}

function pathOf(node: Node): string {
  const segments: string[] = [];
  for (let n: Node | undefined = node; n?.key !== undefined; n = n.parent) {
    segments.push(
      typeof n.key === 'number' ? `[${n.key}]` : `.${printable(n.key).slice(0, SEGMENT_MAX)}`,
    );
  }
  const path = segments.reverse().join('').replace(/^\./, '');
  if (path === '') return 'body';
  return path.length > PATH_MAX ? `…${path.slice(-PATH_MAX)}` : path;
}

/** Control characters and surrogates shown as \uXXXX, so a message can be logged safely. */
export function printable(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const hidden =
      code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0xd800 && code <= 0xdfff);
    out += hidden ? `\\u${code.toString(16).padStart(4, '0')}` : value[i];
  }
  return out;
}
