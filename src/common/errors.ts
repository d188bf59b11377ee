import { isAxiosError } from 'axios';

export type ErrorKind = 'retryable' | 'permanent' | 'auth';

export class ExternalApiError extends Error {
  constructor(
    readonly service: string,
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ExternalApiError';
  }
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNABORTED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ECANCELED',
]);

export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function classifyHttpError(service: string, err: unknown): ExternalApiError {
  if (err instanceof ExternalApiError) return err;
  if (isAxiosError(err)) {
    const status = err.response?.status;
    if (status === undefined) {
      const code = err.code ?? 'NETWORK_ERROR';
      const kind = RETRYABLE_NETWORK_CODES.has(code) || !err.code ? 'retryable' : 'permanent';
      return new ExternalApiError(service, kind, code, `${service}: ${err.message}`);
    }
    const retryAfterMs = parseRetryAfter(err.response?.headers?.['retry-after']);
    const kind: ErrorKind =
      status === 401 || status === 403
        ? 'auth'
        : status === 408 || status === 425 || status === 429 || status >= 500
          ? 'retryable'
          : 'permanent';
    return new ExternalApiError(
      service,
      kind,
      `HTTP_${status}`,
      `${service}: HTTP ${status}`,
      status,
      retryAfterMs,
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ExternalApiError(service, 'retryable', 'UNKNOWN', `${service}: ${message}`);
}

/** The one error a connector throws or returns; the engine acts on `kind` alone. */
export class ConnectorError extends ExternalApiError {
  constructor(
    destination: string,
    kind: ErrorKind,
    code: string,
    message: string,
    httpStatus?: number,
    retryAfterMs?: number,
  ) {
    super(destination, kind, code, message, httpStatus, retryAfterMs);
    this.name = 'ConnectorError';
  }

  static from(destination: string, err: ExternalApiError): ConnectorError {
    return err instanceof ConnectorError
      ? err
      : new ConnectorError(
          destination,
          err.kind,
          err.code,
          err.message,
          err.httpStatus,
          err.retryAfterMs,
        );
  }
}
