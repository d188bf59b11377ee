/**
 * `filter` / `order` / `start` of Bitrix24 list methods (A3): key prefixes `>= > <= < @ !@ % !% =% %=
 * = != !`, case-insensitive string matching as in MySQL, a fixed page of 50 with `total` and `next`.
 */
import { parseDateTime } from './bitrix-time';
import { isPlainObject, type Params } from './php-values';
import { validationError } from './rest-errors';

export const PAGE_SIZE = 50;

/** number: integers, doubles, ids; date; string (LIKE allowed); enum: status ids (no LIKE). */
export type FieldKind = 'number' | 'date' | 'string' | 'enum';

type Operator = '>=' | '<=' | '!@' | '!=' | '!%' | '=%' | '%=' | '>' | '<' | '@' | '%' | '=' | '!';

const OPERATORS: Operator[] = [
  '>=',
  '<=',
  '!@',
  '!=',
  '!%',
  '=%',
  '%=',
  '>',
  '<',
  '@',
  '%',
  '=',
  '!',
];

export interface Condition {
  field: string;
  op: Operator;
  value: unknown;
}

export type KindOf = (field: string) => FieldKind | undefined;

/** Parses `filter`; `[]` (a PHP empty array) and a missing filter mean no condition. */
export function parseFilter(raw: unknown, kindOf: KindOf): Condition[] {
  if (raw === undefined || raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0)) {
    return [];
  }
  if (!isPlainObject(raw)) throw validationError("Parameter 'filter' must be array.");
  const conditions: Condition[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const op = OPERATORS.find((o) => key.startsWith(o)) ?? '=';
    const field = (key.startsWith(op) ? key.slice(op.length) : key).toUpperCase();
    if (kindOf(field) === undefined) continue; // unknown fields are ignored
    conditions.push({ field, op, value });
  }
  return conditions;
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || value === false;
}

function scalar(value: unknown, kind: FieldKind): number | string {
  if (kind === 'number') return typeof value === 'number' ? value : Number(String(value).trim());
  if (kind === 'date') return parseDateTime(value);
  return String(value).toLowerCase();
}

function equals(rowValue: unknown, wanted: unknown, kind: FieldKind): boolean {
  if (Array.isArray(wanted)) return wanted.some((w) => equals(rowValue, w, kind));
  if (Array.isArray(rowValue)) return rowValue.some((r) => equals(r, wanted, kind));
  if (isEmpty(wanted)) return isEmpty(rowValue);
  if (isEmpty(rowValue)) return false;
  if (kind === 'string' || kind === 'enum') {
    return String(rowValue).toLowerCase() === String(wanted).toLowerCase();
  }
  return scalar(rowValue, kind) === scalar(wanted, kind);
}

function compare(rowValue: unknown, wanted: unknown, kind: FieldKind): number | undefined {
  if (isEmpty(rowValue) || isEmpty(wanted) || Array.isArray(wanted)) return undefined;
  const a = scalar(rowValue, kind);
  const b = scalar(wanted, kind);
  if (typeof a === 'number' && typeof b === 'number') {
    return Number.isNaN(a) || Number.isNaN(b) ? undefined : a - b;
  }
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function like(rowValue: unknown, pattern: string): boolean {
  if (Array.isArray(rowValue)) return rowValue.some((r) => like(r, pattern));
  if (isEmpty(rowValue)) return false;
  const escaped = pattern
    .split('')
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}$`, 'is').test(String(rowValue));
}

function test(rowValue: unknown, c: Condition, kind: FieldKind): boolean {
  const list = Array.isArray(c.value) ? c.value : [c.value];
  switch (c.op) {
    case '=':
      return equals(rowValue, c.value, kind);
    case '!':
    case '!=':
      return !equals(rowValue, c.value, kind);
    case '@':
      return equals(rowValue, list, kind);
    case '!@':
      return !equals(rowValue, list, kind);
    case '>':
      return (compare(rowValue, c.value, kind) ?? 0) > 0;
    case '>=':
      return (compare(rowValue, c.value, kind) ?? -1) >= 0;
    case '<':
      return (compare(rowValue, c.value, kind) ?? 0) < 0;
    case '<=':
      return (compare(rowValue, c.value, kind) ?? 1) <= 0;
    case '%':
    case '!%': {
      // LIKE does not work on status fields (A3): they compare exactly.
      const hit =
        kind === 'enum'
          ? equals(rowValue, c.value, kind)
          : list.some((v) => like(rowValue, `%${String(v)}%`));
      return c.op === '%' ? hit : !hit;
    }
    case '=%':
    case '%=':
      return kind === 'enum'
        ? equals(rowValue, c.value, kind)
        : list.some((v) => like(rowValue, String(v)));
  }
}

export function matches(row: Params, conditions: Condition[], kindOf: KindOf): boolean {
  return conditions.every((c) => test(row[c.field], c, kindOf(c.field) ?? 'string'));
}

/** `order: { FIELD: 'ASC' | 'DESC' }`; nulls sort first ascending; ties by ID ascending. */
export function sortRows(rows: Params[], rawOrder: unknown, kindOf: KindOf): Params[] {
  const order: Array<[string, number]> = isPlainObject(rawOrder)
    ? Object.entries(rawOrder)
        .map(([k, v]): [string, number] => [
          k.toUpperCase(),
          String(v).toUpperCase() === 'DESC' ? -1 : 1,
        ])
        .filter(([k]) => kindOf(k) !== undefined)
    : [];
  order.push(['ID', 1]);
  return [...rows].sort((a, b) => {
    for (const [field, dir] of order) {
      const kind = kindOf(field) ?? 'string';
      const av = a[field];
      const bv = b[field];
      if (isEmpty(av) && isEmpty(bv)) continue;
      if (isEmpty(av)) return -dir;
      if (isEmpty(bv)) return dir;
      const diff = compare(av, bv, kind === 'enum' ? 'string' : kind) ?? 0;
      if (diff !== 0) return diff < 0 ? -dir : dir;
    }
    return 0;
  });
}

export interface Page<T> {
  items: T[];
  /** Absent when `start` is -1 (Bitrix's "no count" mode). */
  total?: number;
  next?: number;
}

export function paginate<T>(rows: T[], rawStart: unknown): Page<T> {
  const parsed = Number(rawStart ?? 0);
  if (parsed === -1) return { items: rows.slice(0, PAGE_SIZE) };
  const start = Number.isFinite(parsed) && parsed > 0 ? Math.floor(parsed) : 0;
  const items = rows.slice(start, start + PAGE_SIZE);
  const next = start + PAGE_SIZE < rows.length ? start + PAGE_SIZE : undefined;
  return { items, total: rows.length, next };
}

/** `select` as upper-case names; `defaults` when missing or empty. */
export function parseSelect(raw: unknown, defaults: string[]): string[] {
  const list = Array.isArray(raw)
    ? raw
    : isPlainObject(raw)
      ? Object.values(raw)
      : typeof raw === 'string' && raw !== ''
        ? [raw]
        : [];
  const names = list.map((v) => String(v).trim().toUpperCase()).filter((v) => v !== '');
  return names.length === 0 ? defaults : names;
}
