import { findUnsafeText } from '../common/input-safety';

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

export function findUnstorableText(text: string, value: unknown): string | undefined {
  return SUSPECT_ESCAPE.test(text) ? findUnsafeText(value) : undefined;
}
