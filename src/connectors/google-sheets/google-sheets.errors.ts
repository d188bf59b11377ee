import { ExternalApiError } from '../../common/errors';
import { ConnectorError } from '../crm-connector';

/** Sheets quotas refill over a minute; a retry sooner would only meet the same 429. */
const QUOTA_RETRY_MS = 30_000;

interface GoogleErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: Array<{ reason?: string; metadata?: Record<string, string> }>;
  };
}

interface GaxiosLike {
  message?: string;
  code?: string | number;
  status?: number;
  response?: { status?: number; data?: unknown; headers?: unknown };
}

export function classifySheetsError(err: unknown): ConnectorError {
  if (err instanceof ConnectorError) return err;
  if (err instanceof ExternalApiError) return ConnectorError.from('google-sheets', err);
  const e = (err ?? {}) as GaxiosLike;
  const status = e.response?.status;
  if (status === undefined) {
    const code = typeof e.code === 'string' ? e.code : 'NETWORK_ERROR';
    return new ConnectorError(
      'google-sheets',
      'retryable',
      code,
      `google-sheets: ${e.message ?? 'no answer'}`,
    );
  }
  const body = (typeof e.response?.data === 'object' ? e.response.data : {}) as GoogleErrorBody;
  const reason = body.error?.details?.find((d) => d.reason)?.reason;
  const code = reason ?? body.error?.status ?? `HTTP_${status}`;
  const text =
    body.error?.message ?? (typeof e.response?.data === 'string' ? `HTTP ${status}` : '');
  const message = `google-sheets: ${status} ${body.error?.status ?? ''} ${text}`.replace(
    /\s+/g,
    ' ',
  );
  if (status === 429) {
    return new ConnectorError('google-sheets', 'retryable', code, message, status, QUOTA_RETRY_MS);
  }
  if (status === 408 || status >= 500) {
    return new ConnectorError('google-sheets', 'retryable', code, message, status);
  }
  if (status === 401) return new ConnectorError('google-sheets', 'auth', code, message, status);
  return new ConnectorError('google-sheets', 'permanent', code, message.trim(), status);
}
