/**
 * PHP-isms of the Bitrix24 wire format: `a[b][]=c` query strings (form bodies, batch commands) and
 * JSON where an empty map is `[]` and a map keyed 0..n-1 is a list.
 */

export type Params = Record<string, unknown>;

function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const parts = [key.slice(0, open)];
  const re = /\[([^\]]*)\]/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(key.slice(open))) !== null) parts.push(match[1]);
  return parts;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Turns objects keyed exactly 0..n-1 (in order) into arrays, recursively. */
export function listify(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(listify);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Params).map(([k, v]) => [k, listify(v)] as const);
  const sequential = entries.length > 0 && entries.every(([k], i) => k === String(i));
  return sequential ? entries.map(([, v]) => v) : Object.fromEntries(entries);
}

/** PHP `parse_str`: `fields[TITLE]=X&select[]=ID&select[]=TITLE`. */
export function parsePhpQuery(query: string): Params {
  const root: Params = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const path = splitKey(rawKey);
    if (path[0] === '') continue;
    let node = root;
    for (let i = 0; i < path.length; i++) {
      const last = i === path.length - 1;
      let key = path[i];
      if (key === '') key = String(Object.keys(node).filter((k) => /^\d+$/.test(k)).length);
      if (last) {
        node[key] = value;
      } else {
        const next = node[key];
        if (next === null || typeof next !== 'object') node[key] = {};
        node = node[key] as Params;
      }
    }
  }
  return listify(root) as Params;
}

/** A PHP array for JSON: `[]` when empty, a list when keyed 0..n-1, else an object. */
export class PhpMap {
  private readonly entries = new Map<string, unknown>();

  set(key: string, value: unknown): void {
    this.entries.set(key, value);
  }

  get(key: string): unknown {
    return this.entries.get(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }

  toJSON(): unknown {
    const keys = [...this.entries.keys()];
    if (keys.every((k, i) => k === String(i))) return [...this.entries.values()];
    return Object.fromEntries(this.entries);
  }
}

export function isPlainObject(value: unknown): value is Params {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A parameter by exact name, then upper case, then any case (crm.deal.* are case-insensitive). */
export function param(params: Params, name: string): unknown {
  if (name in params) return params[name];
  const upper = name.toUpperCase();
  if (upper in params) return params[upper];
  const lower = name.toLowerCase();
  const key = Object.keys(params).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : params[key];
}

/** PHP truthiness of a flag such as `halt`. */
export function phpTrue(value: unknown): boolean {
  if (typeof value === 'string')
    return value !== '' && value !== '0' && value.toLowerCase() !== 'n';
  return Boolean(value);
}

/** A scalar as PHP would print it; arrays and objects (PHP "Array") and null become `fallback`. */
export function text(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '';
  return fallback;
}
