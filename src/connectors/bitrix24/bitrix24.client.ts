import { isAxiosError } from 'axios';
import { createHttpClient } from '../../common/http-client';
import type { AccessTokenSource } from '../../credentials/oauth-provider';
import { ConnectorError } from '../crm-connector';
import { batchCommand, classifyBitrix24Error } from './bitrix24.errors';

export type Bitrix24Auth =
  | { mode: 'oauth'; connectionId: string; clientEndpoint: string }
  | { mode: 'webhook'; webhookUrl: string };

interface Envelope<T> {
  result?: T;
  next?: number;
  total?: number;
  error?: string;
  error_description?: string;
}

export interface BatchResult {
  result: Record<string, unknown>;
  errors: Record<string, ConnectorError>;
  next: Record<string, number>;
}

export interface Bitrix24ClientOptions {
  tokens?: AccessTokenSource;
  pace?: () => Promise<void>;
  timeoutMs?: number;
}

export const MAX_BATCH_COMMANDS = 50;

// `expired_token` is refreshed once through the token service (one refresh across processes).
export class Bitrix24Client {
  constructor(
    private readonly auth: Bitrix24Auth,
    private readonly options: Bitrix24ClientOptions = {},
  ) {}

  async call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const envelope = await this.send<T>(method, params);
    return envelope.result as T;
  }

  async listAll<T>(
    method: string,
    params: Record<string, unknown>,
    pick: (result: unknown) => T[] = (r) => (Array.isArray(r) ? (r as T[]) : []),
  ): Promise<T[]> {
    const rows: T[] = [];
    let start: number | undefined = 0;
    while (start !== undefined) {
      const page: Envelope<unknown> = await this.send<unknown>(method, { ...params, start });
      rows.push(...pick(page.result));
      start = typeof page.next === 'number' && page.next > start ? page.next : undefined;
    }
    return rows;
  }

  /** Up to 50 commands in one request (one token of the portal's bucket); errors per key. */
  async batch(
    commands: Record<string, { method: string; params?: Record<string, unknown> }>,
    halt = false,
  ): Promise<BatchResult> {
    const cmd = Object.fromEntries(
      Object.entries(commands).map(([key, c]) => [key, batchCommand(c.method, c.params ?? {})]),
    );
    if (Object.keys(cmd).length > MAX_BATCH_COMMANDS) {
      throw new ConnectorError(
        'bitrix24',
        'permanent',
        'BATCH_TOO_LONG',
        'bitrix24: at most 50 commands per batch',
      );
    }
    const out = await this.call<{
      result?: Record<string, unknown> | unknown[];
      result_error?: Record<string, { error?: string; error_description?: string }> | unknown[];
      result_next?: Record<string, number> | unknown[];
    }>('batch', { halt: halt ? 1 : 0, cmd });
    // PHP sends an empty map as [].
    const result = Array.isArray(out.result) ? {} : (out.result ?? {});
    const rawErrors = Array.isArray(out.result_error) ? {} : (out.result_error ?? {});
    const errors = Object.fromEntries(
      Object.entries(rawErrors).map(([key, e]) => [
        key,
        classifyBitrix24Error(
          e.error === 'QUERY_LIMIT_EXCEEDED' ? 503 : 400,
          e.error,
          e.error_description,
        ),
      ]),
    );
    const next = Array.isArray(out.result_next) ? {} : (out.result_next ?? {});
    return { result, errors, next };
  }

  private async send<T>(
    method: string,
    params: Record<string, unknown>,
    retried = false,
  ): Promise<Envelope<T>> {
    let token: string | undefined;
    let url: string;
    await this.options.pace?.();
    if (this.auth.mode === 'oauth') {
      token = await this.options.tokens!.accessToken(this.auth.connectionId);
      url = `${this.auth.clientEndpoint}${method}.json`;
    } else {
      url = `${this.auth.webhookUrl.replace(/\/?$/, '/')}${method}.json`;
    }
    const http = createHttpClient({ baseURL: url, timeoutMs: this.options.timeoutMs ?? 30000 });
    try {
      const res = await http.post<Envelope<T>>('', token ? { ...params, auth: token } : params);
      if (res.data?.error)
        throw classifyBitrix24Error(res.status, res.data.error, res.data.error_description);
      return res.data;
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      const status = isAxiosError(err) ? err.response?.status : undefined;
      const body = isAxiosError(err) ? (err.response?.data as Envelope<T> | undefined) : undefined;
      const e = classifyBitrix24Error(
        status,
        body?.error,
        body?.error_description ?? (err as Error).message,
      );
      if (
        this.auth.mode === 'oauth' &&
        token &&
        !retried &&
        (e.code === 'expired_token' || e.code === 'invalid_token')
      ) {
        await this.options.tokens!.accessToken(this.auth.connectionId, token);
        return this.send<T>(method, params, true);
      }
      throw e;
    }
  }
}
