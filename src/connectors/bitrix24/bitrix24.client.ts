import { isAxiosError } from 'axios';
import { createHttpClient } from '../../common/http-client';
import type { TokenService } from '../../connections/token.service';
import { ConnectorError } from '../crm-connector';
import { batchCommand, classifyBitrix24Error } from './bitrix24.errors';

export type Bitrix24Auth =
  | { mode: 'oauth'; connectionId: string; clientEndpoint: string }
  | { mode: 'webhook'; webhookUrl: string };

interface Envelope<T> {
  result?: T;
  error?: string;
  error_description?: string;
}

export interface BatchResult {
  result: Record<string, unknown>;
  errors: Record<string, ConnectorError>;
}

/**
 * Calls Bitrix24 REST for one connection: `<client_endpoint><method>` with `auth` (OAuth app) or
 * `<webhook URL><method>` (incoming webhook), JSON bodies. An OAuth call refused with
 * `expired_token` is refreshed once through the token service (one refresh across processes)
 * and repeated; every other error comes back classified.
 */
export class Bitrix24Client {
  constructor(
    private readonly auth: Bitrix24Auth,
    private readonly tokens?: TokenService,
    private readonly timeoutMs = 30000,
  ) {}

  async call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const envelope = await this.send<T>(method, params);
    return envelope.result as T;
  }

  /** Up to 50 commands in one request (one token of the portal's bucket); errors per key. */
  async batch(
    commands: Record<string, { method: string; params?: Record<string, unknown> }>,
    halt = false,
  ): Promise<BatchResult> {
    const cmd = Object.fromEntries(
      Object.entries(commands).map(([key, c]) => [key, batchCommand(c.method, c.params ?? {})]),
    );
    if (Object.keys(cmd).length > 50) {
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
    return { result, errors };
  }

  private async send<T>(
    method: string,
    params: Record<string, unknown>,
    retried = false,
  ): Promise<Envelope<T>> {
    let token: string | undefined;
    let url: string;
    if (this.auth.mode === 'oauth') {
      token = await this.tokens!.accessToken(this.auth.connectionId);
      url = `${this.auth.clientEndpoint}${method}.json`;
    } else {
      url = `${this.auth.webhookUrl.replace(/\/?$/, '/')}${method}.json`;
    }
    const http = createHttpClient({ baseURL: url, timeoutMs: this.timeoutMs });
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
        await this.tokens!.accessToken(this.auth.connectionId, token);
        return this.send<T>(method, params, true);
      }
      throw e;
    }
  }
}
