import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Options } from 'pino-http';
import type { AppConfig } from '../config/app-config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function newRequestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

// First middleware, so a request refused by a body parser has an id too.
export function assignRequestId(
  req: IncomingMessage & { id?: string },
  res: ServerResponse,
  next: () => void,
): void {
  req.id = newRequestId(req, res);
  next();
}

export function redactPaths(config: AppConfig): string[] {
  const headers = [
    'authorization',
    'cookie',
    'set-cookie',
    'webhook-signature',
    'x-api-key',
    config.vpos.webhook.header,
  ];
  return [
    ...headers.map((h) => `req.headers["${h}"]`),
    ...headers.map((h) => `res.headers["${h}"]`),
    '*.password',
    '*.secret',
    '*.token',
    '*.accessToken',
    '*.refreshToken',
    '*.access_token',
    '*.refresh_token',
    '*.client_secret',
  ];
}

const SECRET_QUERY =
  /^(code|state|key|sig|auth)$|token|secret|password|passw|signature|api[_-]?key/i;

function decodedOrRaw(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      return SECRET_QUERY.test(decodedOrRaw(key)) ? `${key}=[redacted]` : pair;
    });
  return `${url.slice(0, at)}?${query.join('&')}`;
}

export function pinoHttpOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    redact: { paths: redactPaths(config), censor: '[redacted]' },
    genReqId: (req, res) => (typeof req.id === 'string' ? req.id : newRequestId(req, res)),
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: {
      ignore: (req) => req.url === '/metrics' || req.url?.startsWith('/health') === true,
    },
    serializers: {
      req: (req: {
        id: string;
        method: string;
        url: string;
        headers: Record<string, unknown>;
      }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        headers: req.headers,
      }),
      // A redirect to a consent page carries the OAuth state in its Location.
      res: (res: { statusCode: number; headers?: Record<string, unknown> }) => ({
        statusCode: res.statusCode,
        headers:
          typeof res.headers?.location === 'string'
            ? { ...res.headers, location: redactUrl(res.headers.location) }
            : res.headers,
      }),
    },
  };
}
