/** Request/response helpers for the emulator's node:http server. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody as readCommonBody, sendJson as commonSendJson } from '../common/http-io';
import { isPlainObject, parsePhpQuery, type Params } from './php-values';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class BodyError extends Error {}

export function readBody(req: IncomingMessage): Promise<string> {
  return readCommonBody(req, MAX_BODY_BYTES, () => new BodyError('request body exceeds 4 MiB'));
}

/** Query string and body (JSON or form) merged, body winning; PHP bracket syntax understood. */
export async function readParams(req: IncomingMessage, url: URL): Promise<Params> {
  const query = parsePhpQuery(url.search.replace(/^\?/, ''));
  const text = await readBody(req);
  if (text.trim() === '') return query;
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('json') || (!type.includes('form') && /^\s*[{[]/.test(text))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BodyError('Request body is not valid JSON');
    }
    return isPlainObject(parsed) ? { ...query, ...parsed } : query;
  }
  return { ...query, ...parsePhpQuery(text) };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  commonSendJson(res, status, body, { 'cache-control': 'no-store' });
}

export { escapeHtml, redirect, sendHtml } from '../common/http-io';
