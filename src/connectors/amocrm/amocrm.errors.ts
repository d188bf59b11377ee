import { parseRetryAfter } from '../../common/errors';
import { ConnectorError } from '../crm-connector';

// A blocked account (nginx 403 page) stays blocked until amoCRM support lifts it.
export const ACCOUNT_BLOCK_RETRY_MS = 15 * 60_000;
export const PAYMENT_REQUIRED_RETRY_MS = 60 * 60_000;
const RATE_LIMIT_RETRY_MS = 1000;

interface Problem {
  title?: string;
  detail?: string;
  hint?: string;
  error?: string;
  error_description?: string;
  'validation-errors'?: Array<{
    request_id?: string;
    errors?: Array<{ code?: string; path?: string; detail?: string }>;
  }>;
}

export interface ItemValidation {
  requestId: string;
  messages: string[];
}

export class AmocrmValidationError extends ConnectorError {
  constructor(
    message: string,
    readonly items: ItemValidation[],
  ) {
    super('amocrm', 'permanent', 'VALIDATION', message, 400);
  }
}

export function classifyAmocrmError(
  status: number,
  body: unknown,
  retryAfterHeader?: unknown,
): ConnectorError {
  const problem = parseProblem(body);
  const retryAfter = parseRetryAfter(retryAfterHeader);
  const reason = problem ? describe(problem) : '';
  const message = `amocrm: HTTP ${status}${reason ? `: ${reason}` : ''}`;
  const error = (kind: ConnectorError['kind'], code: string, retryAfterMs?: number) =>
    new ConnectorError('amocrm', kind, code, message, status, retryAfterMs);

  const revoked = problem?.hint === 'Token has been revoked' || problem?.error === 'invalid_grant';
  if (status === 429) return error('retryable', 'RATE_LIMITED', retryAfter ?? RATE_LIMIT_RETRY_MS);
  if (status >= 500) return error('retryable', `HTTP_${status}`, retryAfter);
  if (status === 401) return error('auth', revoked ? 'TOKEN_REVOKED' : 'UNAUTHORIZED');
  if (status === 403) {
    if (revoked) return error('auth', 'TOKEN_REVOKED');
    if (!problem) {
      return new ConnectorError(
        'amocrm',
        'retryable',
        'ACCOUNT_BLOCKED',
        `amocrm: HTTP 403 block page: the account's API is blocked (too many requests?)`,
        status,
        retryAfter ?? ACCOUNT_BLOCK_RETRY_MS,
      );
    }
    return error('permanent', 'ACCESS_DENIED');
  }
  if (status === 402) {
    return error('retryable', 'PAYMENT_REQUIRED', retryAfter ?? PAYMENT_REQUIRED_RETRY_MS);
  }
  const items = validationItems(problem);
  if (status === 400 && items.length > 0) return new AmocrmValidationError(message, items);
  return error('permanent', status === 404 ? 'NOT_FOUND' : `HTTP_${status}`);
}

function parseProblem(body: unknown): Problem | undefined {
  if (body && typeof body === 'object' && !Array.isArray(body)) return body;
  if (typeof body !== 'string' || !body.trim().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function validationItems(problem: Problem | undefined): ItemValidation[] {
  return (problem?.['validation-errors'] ?? []).map((item, i) => ({
    requestId: String(item.request_id ?? i),
    messages: (item.errors ?? []).map(
      (e) => `${e.path || '(item)'}: ${e.detail ?? e.code ?? 'invalid'}`,
    ),
  }));
}

function describe(problem: Problem): string {
  const items = validationItems(problem);
  if (items.length > 0) {
    return items.map((i) => `request ${i.requestId}: ${i.messages.join(', ')}`).join('; ');
  }
  const parts = [
    problem.title,
    problem.detail,
    problem.hint,
    problem.error,
    problem.error_description,
  ];
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join(': ');
}
