/** Request/response helpers for the Google emulator's node:http server. */
import type { IncomingMessage } from 'node:http';
import { parsePayload, readBody as readCommonBody } from '../common/http-io';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** An HTTP answer thrown from inside a handler: JSON unless `html` is set. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
    readonly html = false,
  ) {
    super(typeof body === 'string' ? body : `HTTP ${status}`);
  }
}

export const GRPC_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Google's API error envelope: `{ error: { code, message, status, errors?, details? } }`. */
export function googleError(
  code: number,
  message: string,
  extra: { errors?: unknown[]; details?: unknown[] } = {},
  headers: Record<string, string> = {},
): HttpError {
  const error: Record<string, unknown> = { code, message };
  if (extra.errors) error.errors = extra.errors;
  error.status = GRPC_STATUS[code] ?? 'UNKNOWN';
  if (extra.details) error.details = extra.details;
  return new HttpError(code, { error }, headers);
}

/** The OAuth endpoints' error shape: `{ error, error_description }`. */
export function oauthError(status: number, error: string, description?: string): HttpError {
  return new HttpError(
    status,
    description === undefined ? { error } : { error, error_description: description },
  );
}

export function readBody(req: IncomingMessage): Promise<string> {
  return readCommonBody(req, MAX_BODY_BYTES, () =>
    googleError(413, 'Request payload size exceeds the limit.'),
  );
}

/** JSON body (or a flat object for form bodies); `undefined` when empty. */
export async function readPayload(req: IncomingMessage): Promise<unknown> {
  return parsePayload(await readBody(req), req.headers['content-type'], () =>
    googleError(400, 'Invalid JSON payload received. Unable to parse the request body.'),
  );
}

export { escapeHtml, headerValue, isObject, redirect, sendHtml, sendJson } from '../common/http-io';
