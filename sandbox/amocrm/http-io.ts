/** Request/response helpers for the amoCRM emulator's node:http server. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parsePayload, readBody as readCommonBody, sendText } from '../common/http-io';

const MAX_BODY_BYTES = 2 * 1024 * 1024;

export type BodyKind = 'hal' | 'json' | 'problem' | 'html' | 'text';

const CONTENT_TYPES: Record<BodyKind, string> = {
  hal: 'application/hal+json',
  json: 'application/json',
  problem: 'application/problem+json',
  html: 'text/html; charset=utf-8',
  text: 'text/plain; charset=utf-8',
};

/** An HTTP answer thrown from deep inside a handler. `body` is JSON unless `kind` is html/text. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly kind: BodyKind = 'problem',
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'string' ? body : `HTTP ${status}`);
  }
}

/** amoCRM's generic problem body: `{ title, type: https://httpstatus.es/<n>, status, detail }`. */
export function problem(status: number, title: string, detail: string): HttpError {
  return new HttpError(status, { title, type: `https://httpstatus.es/${status}`, status, detail });
}

const bodies = new WeakMap<IncomingMessage, Promise<string>>();

// Read once: the router buffers an API request's body before handling it, as amoCRM's nginx does.
export function readBody(req: IncomingMessage): Promise<string> {
  let body = bodies.get(req);
  if (!body) {
    body = readCommonBody(req, MAX_BODY_BYTES, () =>
      problem(413, 'Payload Too Large', 'Request body is too large'),
    );
    bodies.set(req, body);
  }
  return body;
}

/**
 * The body as JSON, or as a flat object when it is `application/x-www-form-urlencoded`. An empty
 * body is `undefined`; malformed JSON is a 400 problem.
 */
export async function readPayload(req: IncomingMessage): Promise<unknown> {
  return parsePayload(await readBody(req), req.headers['content-type'], () =>
    problem(400, 'Bad Request', 'Syntax error: the request body is not valid JSON'),
  );
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  kind: BodyKind = 'hal',
  headers: Record<string, string> = {},
): void {
  const text = kind === 'html' || kind === 'text' ? String(body) : JSON.stringify(body);
  sendText(res, status, text, CONTENT_TYPES[kind], headers);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

export { escapeHtml, headerValue, isObject, redirect } from '../common/http-io';

/** A query tree parsed from PHP-style keys: `filter[statuses][0][status_id]=1`, `filter[id][]=2`. */
export type QueryNode = string | { [key: string]: QueryNode };

export function parseNestedQuery(params: URLSearchParams): Record<string, QueryNode> {
  const root: Record<string, QueryNode> = {};
  for (const [key, value] of params) {
    const match = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(key);
    if (!match) continue;
    const parts = [match[1], ...[...match[2].matchAll(/\[([^\]]*)\]/g)].map((m) => m[1])];
    let node = root;
    parts.forEach((raw, i) => {
      const part = raw === '' ? String(Object.keys(node).length) : raw;
      if (i === parts.length - 1) {
        node[part] = value;
        return;
      }
      const existing = node[part];
      if (typeof existing !== 'object') node[part] = {};
      node = node[part] as Record<string, QueryNode>;
    });
  }
  return root;
}

/** A node as a list of strings: `a` → [a]; `{0:a,1:b}` (from `x[]=a&x[]=b`) → [a,b]. */
export function nodeList(node: QueryNode | undefined): string[] {
  if (node === undefined) return [];
  if (typeof node === 'string') return node === '' ? [] : [node];
  return Object.values(node).flatMap((v) => nodeList(v));
}

/** Like nodeList, but also splits `1,2,3`; non-numbers are dropped. */
export function numberList(node: QueryNode | undefined): number[] {
  return nodeList(node)
    .flatMap((v) => v.split(','))
    .map((v) => Number(v.trim()))
    .filter((n) => Number.isFinite(n));
}
