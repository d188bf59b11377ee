/** Request/response helpers for the emulator's node:http server. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPlainObject, parsePhpQuery, type Params } from './php-values';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class BodyError extends Error {}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyError('request body exceeds 4 MiB'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(html)),
    'cache-control': 'no-store',
  });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'content-length': '0', 'cache-control': 'no-store' });
  res.end();
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
