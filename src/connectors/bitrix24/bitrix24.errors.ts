import { ConnectorError } from '../crm-connector';

const RETRYABLE = new Set([
  'QUERY_LIMIT_EXCEEDED',
  'OPERATION_TIME_LIMIT',
  'INTERNAL_SERVER_ERROR',
  'ERROR_UNEXPECTED_ANSWER',
]);
const AUTH = new Set([
  'expired_token',
  'invalid_token',
  'NO_AUTH_FOUND',
  'INVALID_CREDENTIALS',
  'insufficient_scope',
  'user_access_error',
  'ACCESS_DENIED',
  'PAYMENT_REQUIRED',
  'WRONG_AUTH_TYPE',
]);

export function classifyBitrix24Error(
  httpStatus: number | undefined,
  error: string | undefined,
  description: string | undefined,
): ConnectorError {
  const code = error || (httpStatus === 400 ? 'VALIDATION' : `HTTP_${httpStatus ?? 'NONE'}`);
  const message = `bitrix24: ${error || `HTTP ${httpStatus ?? '?'}`}${description ? `: ${description}` : ''}`;
  const kind =
    RETRYABLE.has(code) || httpStatus === undefined || (httpStatus >= 500 && !AUTH.has(code))
      ? code === 'PORTAL_DELETED'
        ? 'permanent'
        : 'retryable'
      : AUTH.has(code) || httpStatus === 401
        ? 'auth'
        : httpStatus === 429
          ? 'retryable'
          : 'permanent';
  return new ConnectorError('bitrix24', kind, code, message, httpStatus);
}

/** `method?fields[TITLE]=X&...`: a batch command in PHP's nested query-string form. */
export function batchCommand(method: string, params: Record<string, unknown>): string {
  const parts: string[] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value === undefined) return;
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        walk(`${prefix}[${k}]`, v);
    } else {
      const text =
        typeof value === 'string'
          ? value
          : typeof value === 'number' || typeof value === 'boolean'
            ? String(value)
            : '';
      parts.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(text)}`);
    }
  };
  for (const [k, v] of Object.entries(params)) walk(k, v);
  return parts.length ? `${method}?${parts.join('&')}` : method;
}
