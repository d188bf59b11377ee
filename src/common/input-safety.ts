import {
  ArgumentMetadata,
  BadRequestException,
  Injectable,
  PipeTransform,
  UnprocessableEntityException,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** Deepest JSON nesting a request body may have; checked on the raw bytes, before parsing. */
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

/** Whether raw JSON nests deeper than `max`; brackets inside strings do not count. */
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

/**
 * `verify` hook of the JSON body parser: deep nesting is refused before JSON.parse and
 * class-transformer ever recurse into it.
 */
export function rejectDeepJson(_req: unknown, _res: unknown, buf: Buffer): void {
  if (nestsDeeperThan(buf, MAX_JSON_DEPTH)) {
    throw new BodyTooDeepError(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path || 'body'}[${key}]`;
  const name = unsafe(key) ? JSON.stringify(key.slice(0, 64)) : key.slice(0, 64);
  return path ? `${path}.${name}` : name;
}

/**
 * The path (`customer.name`, `metadata.tags[1]`) of the first string or object key holding NUL
 * or a lone surrogate, or undefined. Iterative, so no input can exhaust the stack.
 */
export function findUnsafeText(value: unknown, root = ''): string | undefined {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      if (unsafe(current)) return path || 'body';
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([current[i], child(path, i)]);
    } else if (current !== null && typeof current === 'object') {
      const keys = Object.keys(current);
      for (const key of keys) if (unsafe(key)) return child(path, key);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push([(current as Record<string, unknown>)[keys[i]], child(path, keys[i])]);
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

/**
 * Every request, before routing: the path decodes as UTF-8, and no parsed JSON body or query
 * string holds NUL or a lone surrogate (PostgreSQL refuses both), whichever handler runs.
 */
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

/**
 * Global pipe, before validation: route parameters (known by name only once a route matched)
 * hold no NUL or lone surrogate, and a body bound to a DTO class is a JSON object.
 */
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
