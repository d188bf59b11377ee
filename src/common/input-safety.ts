import {
  ArgumentMetadata,
  BadRequestException,
  Injectable,
  PipeTransform,
  UnprocessableEntityException,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

export const MAX_JSON_DEPTH = 32;

export const UNSAFE_TEXT = 'must not contain NUL or lone surrogates';

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unsafe = (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text);

const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

class BodyTooDeepError extends Error {
  readonly status = 400;
  readonly type = 'entity.too.deep';
}

export function nestsDeeperThan(buf: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
  }
  return false;
}

// Refused before JSON.parse and class-transformer ever recurse into it.
export function rejectDeepJson(_req: unknown, _res: unknown, buf: Buffer): void {
  if (nestsDeeperThan(buf, MAX_JSON_DEPTH)) {
    throw new BodyTooDeepError(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

const SEGMENT_MAX = 64;
const PATH_MAX = 200;

interface Node {
  value: unknown;
  key: string | number | undefined;
  parent: Node | undefined;
}

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

function pathOf(node: Node, root: string): string {
  const segments: string[] = [];
  for (let n: Node | undefined = node; n?.key !== undefined; n = n.parent) {
    segments.push(
      typeof n.key === 'number' ? `[${n.key}]` : `.${printable(n.key).slice(0, SEGMENT_MAX)}`,
    );
  }
  const joined = segments.reverse().join('');
  const path = root ? root + joined : joined.startsWith('[') ? `body${joined}` : joined.slice(1);
  if (path === '') return 'body';
  return path.length > PATH_MAX ? `…${path.slice(-PATH_MAX)}` : path;
}

// PostgreSQL stores neither NUL nor a lone surrogate; iterative, so no nesting exhausts the stack.
export function findUnsafeText(value: unknown, root = ''): string | undefined {
  const stack: Node[] = [{ value, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === 'string') {
      if (unsafe(v)) return pathOf(node, root);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: node });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry: Node = { value: entries[i][1] as unknown, key: entries[i][0], parent: node };
        if (unsafe(entries[i][0])) return pathOf(entry, root);
        stack.push(entry);
      }
    }
  }
  return undefined;
}

function refuse(path: string): UnprocessableEntityException {
  return new UnprocessableEntityException(`${path}: ${UNSAFE_TEXT}`);
}

function undecodableSegment(path: string): string | undefined {
  for (const segment of path.split('/')) {
    try {
      decodeURIComponent(segment);
    } catch {
      return segment;
    }
  }
  return undefined;
}

// Before routing, so it holds whichever handler runs.
export function rejectUnsafeInput(req: Request, _res: Response, next: NextFunction): void {
  const segment = undecodableSegment(req.path);
  if (segment !== undefined) {
    return next(
      new BadRequestException(`path: "${segment.slice(0, 64)}" is not percent-encoded UTF-8`),
    );
  }
  const path = findUnsafeText(req.body) ?? findUnsafeText(req.query);
  next(path === undefined ? undefined : refuse(path));
}

const PLAIN_TYPES: unknown[] = [Object, Array, String, Number, Boolean];

// A pipe: route parameters are known by name only once a route matched.
@Injectable()
export class SafeInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'param') {
      const path = findUnsafeText(value, metadata.data ?? '');
      if (path !== undefined) throw refuse(path);
    }
    const dto = typeof metadata.metatype === 'function' && !PLAIN_TYPES.includes(metadata.metatype);
    if (metadata.type === 'body' && dto && !isPlainObject(value)) {
      throw new UnprocessableEntityException(
        'body: must be a JSON object (Content-Type: application/json)',
      );
    }
    return value;
  }
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
