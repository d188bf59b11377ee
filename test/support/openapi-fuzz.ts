/**
 * Bad-input cases for every operation of an OpenAPI document: each body field, query and path
 * parameter gets wrong types, nulls, NUL bytes, lone surrogates, huge numbers and strings, deep
 * nesting, arrays where objects belong and extra fields. Seeded, so a failure reproduces.
 */

export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  schema?: Schema;
}

export interface Operation {
  method: string;
  path: string;
  params: Parameter[];
  body?: Schema;
}

export interface FuzzCase {
  op: Operation;
  label: string;
  pathValues: Record<string, string>;
  /** Raw query string (already encoded) appended to the base query. */
  query: string;
  /** Raw body text, or undefined for no body. */
  body?: string;
  contentType?: string;
  /** What the answer must be, beyond "not 5xx". */
  expect?: { status: number; message: string };
}

export type Rng = () => number;

/** mulberry32: small, fast, good enough to make cases reproducible from one seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uuidFrom(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

export const UNSAFE_MESSAGE = 'must not contain NUL or lone surrogates';
const DEEP = 100_000;
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

/** Raw JSON texts put in place of one field. `refuse` marks the ones that must be a named 422. */
const FIELD_VALUES: { label: string; raw: string; refuse?: 'unsafe' | 'deep' }[] = [
  { label: 'null', raw: 'null' },
  { label: 'NUL', raw: '"a\\u0000b"', refuse: 'unsafe' },
  { label: 'lone surrogate', raw: '"a\\ud800"', refuse: 'unsafe' },
  { label: 'lone low surrogate', raw: '"\\udfffz"', refuse: 'unsafe' },
  { label: '1e308', raw: '1e308' },
  { label: '-1e308', raw: '-1e308' },
  { label: '1e20', raw: '1e20' },
  { label: '-1', raw: '-1' },
  { label: '0', raw: '0' },
  { label: '1.5', raw: '1.5' },
  { label: '2^53+1', raw: '9007199254740993' },
  { label: 'true', raw: 'true' },
  { label: 'empty string', raw: '""' },
  { label: 'blank string', raw: '"   "' },
  { label: 'numeric string', raw: '"1e308"' },
  { label: 'huge string', raw: JSON.stringify('x'.repeat(200_000)) },
  { label: 'empty array', raw: '[]' },
  { label: 'mixed array', raw: '[1,"a",null,{}]' },
  { label: 'empty object', raw: '{}' },
  { label: 'nested object', raw: '{"a":{"b":[1]}}' },
  { label: '__proto__ object', raw: '{"__proto__":{"polluted":1}}' },
  { label: 'deep nesting', raw: deep(DEEP), refuse: 'deep' },
];

const QUERY_VALUES: { label: string; raw: (name: string) => string; refuse?: boolean }[] = [
  { label: 'NUL', raw: (n) => `${n}=a%00b`, refuse: true },
  { label: 'empty', raw: (n) => `${n}=` },
  { label: '1e20', raw: (n) => `${n}=1e20` },
  { label: '1e308', raw: (n) => `${n}=1e308` },
  { label: '-1', raw: (n) => `${n}=-1` },
  { label: 'NaN', raw: (n) => `${n}=NaN` },
  { label: 'maybe', raw: (n) => `${n}=maybe` },
  { label: 'huge', raw: (n) => `${n}=${'x'.repeat(8000)}` },
  { label: 'repeated', raw: (n) => `${n}=a&${n}=b` },
  { label: 'bracketed', raw: (n) => `${n}[a]=1` },
  { label: 'surrogate bytes', raw: (n) => `${n}=%ED%A0%80` },
  { label: 'bad percent', raw: (n) => `${n}=%E0%A4%A` },
  { label: '__proto__', raw: () => `__proto__=1` },
];

const PATH_VALUES: { label: string; raw: string; refuse?: 'unsafe' | 'undecodable' }[] = [
  { label: 'NUL', raw: 'a%00b', refuse: 'unsafe' },
  { label: 'bad percent', raw: '%E0%A4%A', refuse: 'undecodable' },
  { label: 'surrogate bytes', raw: '%ED%A0%80', refuse: 'undecodable' },
  { label: 'huge', raw: 'x'.repeat(3000) },
  { label: '1e308', raw: '1e308' },
  { label: '-1', raw: '-1' },
  { label: '__proto__', raw: '__proto__' },
  { label: 'constructor', raw: 'constructor' },
  { label: 'encoded slash', raw: 'a%2F..%2Fb' },
  { label: 'space', raw: '%20' },
  { label: 'emoji', raw: '%F0%9F%98%80' },
];

export function operations(doc: { paths: Record<string, Record<string, unknown>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.toLowerCase().startsWith('/api/')) continue;
    for (const [method, raw] of Object.entries(item)) {
      const op = raw as {
        parameters?: Parameter[];
        requestBody?: { content?: Record<string, { schema?: Schema }> };
      };
      ops.push({
        method,
        path,
        params: op.parameters ?? [],
        body: op.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return ops;
}

export class SchemaSampler {
  constructor(
    private readonly components: Record<string, Schema>,
    private readonly rng: Rng,
  ) {}

  resolve(schema: Schema | undefined): Schema {
    let s = schema ?? {};
    for (let i = 0; i < 20 && (s.$ref || s.allOf); i++) {
      s = s.$ref ? (this.components[s.$ref.split('/').pop()!] ?? {}) : (s.allOf?.[0] ?? {});
    }
    return s;
  }

  uuid(): string {
    return uuidFrom(this.rng);
  }

  /** A plausible value: the example, the default, the first enum value, else one by type. */
  sample(schema: Schema | undefined): unknown {
    const s = this.resolve(schema);
    if (s.example !== undefined) return s.example;
    if (s.default !== undefined) return s.default;
    if (s.enum?.length) return s.enum[0];
    if (s.properties) {
      return Object.fromEntries(
        Object.entries(s.properties).map(([k, v]) => [k, this.sample(v)] as const),
      );
    }
    if (s.type === 'number' || s.type === 'integer') return 1 + Math.floor(this.rng() * 1000);
    if (s.type === 'boolean') return true;
    if (s.type === 'array') return [];
    if (s.type === 'object') return {};
    return `fz-${Math.floor(this.rng() * 1e9).toString(36)}`;
  }

  /** Dotted paths of every property, nested objects included (`customer.phone`). */
  fieldPaths(schema: Schema | undefined, prefix = '', depth = 0): string[] {
    const s = this.resolve(schema);
    if (!s.properties || depth > 4) return [];
    return Object.entries(s.properties).flatMap(([k, v]) => {
      const path = prefix ? `${prefix}.${k}` : k;
      return [path, ...this.fieldPaths(v, path, depth + 1)];
    });
  }

  objectPaths(schema: Schema | undefined): string[] {
    return ['', ...this.fieldPaths(schema).filter((p) => this.atPath(schema, p)?.properties)];
  }

  private atPath(schema: Schema | undefined, path: string): Schema | undefined {
    let s: Schema | undefined = this.resolve(schema);
    for (const key of path.split('.'))
      s = s?.properties ? this.resolve(s.properties[key]) : undefined;
    return s;
  }
}

const RAW = '\u0001raw\u0001';

/** `base` as JSON text with the value at `path` replaced by raw JSON text. */
export function withRaw(base: unknown, path: string, raw: string): string {
  const copy = structuredClone(base ?? {}) as Record<string, unknown>;
  const keys = path.split('.');
  let target = copy;
  for (const key of keys.slice(0, -1)) {
    const next = target[key];
    target[key] = next && typeof next === 'object' && !Array.isArray(next) ? next : {};
    target = target[key] as Record<string, unknown>;
  }
  target[keys[keys.length - 1]] = RAW;
  return JSON.stringify(copy).replace(JSON.stringify(RAW), () => raw);
}

/** Every bad-input case of one operation, around a base body (ideally one the hub accepts). */
export function casesFor(
  op: Operation,
  sampler: SchemaSampler,
  base: unknown,
  pathValues: Record<string, string>,
): FuzzCase[] {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const baseBody = op.body ? JSON.stringify(base) : undefined;
  const common = { op, pathValues, query: '', body: baseBody };
  const cases: FuzzCase[] = [];
  for (const p of pathParams) {
    for (const v of PATH_VALUES) {
      cases.push({
        ...common,
        label: `path ${p.name} = ${v.label}`,
        pathValues: { ...pathValues, [p.name]: v.raw },
        expect:
          v.refuse === 'unsafe'
            ? { status: 422, message: `${p.name}: ${UNSAFE_MESSAGE}` }
            : v.refuse === 'undecodable'
              ? { status: 400, message: 'path: ' }
              : undefined,
      });
    }
  }
  for (const p of queryParams) {
    for (const v of QUERY_VALUES) {
      cases.push({
        ...common,
        label: `query ${p.name} = ${v.label}`,
        query: v.raw(p.name),
        expect: v.refuse ? { status: 422, message: `${p.name}: ${UNSAFE_MESSAGE}` } : undefined,
      });
    }
  }
  if (!op.body) return cases;
  for (const field of sampler.fieldPaths(op.body)) {
    for (const v of FIELD_VALUES) {
      cases.push({
        ...common,
        label: `body ${field} = ${v.label}`,
        body: withRaw(base, field, v.raw),
        expect:
          v.refuse === 'unsafe'
            ? { status: 422, message: `${field}: ${UNSAFE_MESSAGE}` }
            : v.refuse === 'deep'
              ? { status: 400, message: 'body: nested deeper than' }
              : undefined,
      });
    }
  }
  for (const at of sampler.objectPaths(op.body)) {
    const field = at ? `${at}.zzExtra` : 'zzExtra';
    cases.push({ ...common, label: `body extra field ${field}`, body: withRaw(base, field, '1') });
  }
  const whole: [string, string | undefined, string?, FuzzCase['expect']?][] = [
    ['null', 'null'],
    ['array', '[]'],
    ['array of objects', `[${baseBody}]`],
    ['string', '"x"'],
    ['number', '1e308'],
    ['empty object', '{}'],
    ['no body', undefined],
    ['malformed', '{"a":', undefined, { status: 400, message: 'body: ' }],
    ['deep', deep(DEEP), undefined, { status: 400, message: 'body: nested deeper than' }],
    [
      'too large',
      JSON.stringify({ a: 'x'.repeat(1_100_000) }),
      undefined,
      { status: 413, message: 'body: ' },
    ],
    ['text/plain', baseBody, 'text/plain'],
    ['form', 'a=1&b=2', 'application/x-www-form-urlencoded'],
  ];
  for (const [label, body, contentType, expect] of whole) {
    cases.push({ ...common, label: `whole body ${label}`, body, contentType, expect });
  }
  return cases;
}

export function urlOf(c: FuzzCase): string {
  const path = c.op.path.replace(/\{(\w+)\}/g, (_, name: string) => c.pathValues[name]);
  return c.query ? `${path}?${c.query}` : path;
}
