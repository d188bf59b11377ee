import type { AxiosInstance, Method } from 'axios';
import { isAxiosError } from 'axios';
import { classifyHttpError } from '../../common/errors';
import { createHttpClient } from '../../common/http-client';
import type { OAuthAuth } from '../shared/oauth-auth';
import { ConnectorError } from '../crm-connector';
import { classifyAmocrmError } from './amocrm.errors';

const RATE_LIMIT_WAITS = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type AmocrmAuth = { mode: 'token'; token: string } | OAuthAuth;

// A 401 asks the token service once, passing the refused token, so one refresh runs across processes.
export class AmocrmClient {
  private readonly http: AxiosInstance;
  private token: string | undefined;

  constructor(
    readonly baseUrl: string,
    private readonly auth: AmocrmAuth,
    private readonly pace?: () => Promise<void>,
    readonly timeoutMs = 30000,
  ) {
    this.http = createHttpClient({ baseURL: baseUrl, timeoutMs });
    this.token = auth.mode === 'token' ? auth.token : auth.first;
  }

  get<T>(path: string, query?: URLSearchParams): Promise<T | null> {
    const qs = query?.toString();
    return this.request<T>('GET', qs ? `${path}?${qs}` : path);
  }

  post<T>(path: string, body: unknown): Promise<T | null> {
    return this.request<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T | null> {
    return this.request<T>('PATCH', path, body);
  }

  delete<T>(path: string, body?: unknown): Promise<T | null> {
    return this.request<T>('DELETE', path, body);
  }

  private async request<T>(
    method: Method,
    url: string,
    data?: unknown,
    retried = false,
    limited = 0,
  ): Promise<T | null> {
    const token = await this.bearer();
    await this.pace?.();
    try {
      const res = await this.http.request<T | ''>({
        method,
        url,
        data,
        headers: {
          authorization: `Bearer ${token}`,
          ...(data === undefined ? {} : { 'content-type': 'application/json' }),
        },
      });
      return res.status === 204 || res.data === '' ? null : res.data;
    } catch (err) {
      if (!isAxiosError(err) || !err.response) {
        throw ConnectorError.from('amocrm', classifyHttpError('amocrm', err));
      }
      const { status } = err.response;
      const body: unknown = err.response.data;
      const e = classifyAmocrmError(status, body, err.response.headers['retry-after']);
      if (status === 401 && this.auth.mode === 'oauth' && !retried) {
        this.token = await this.auth.tokens.accessToken(this.auth.connectionId, token);
        return this.request<T>(method, url, data, true, limited);
      }
      // A 429 was refused, not applied: a settings check waits it out; a paced call once, so a
      // request that bunched up on the way does not send a whole batch of orders to retry.
      if (status === 429 && limited < (this.pace ? 1 : RATE_LIMIT_WAITS)) {
        await sleep(Math.min(e.retryAfterMs ?? 1000, 5000));
        return this.request<T>(method, url, data, retried, limited + 1);
      }
      throw e;
    }
  }

  private async bearer(): Promise<string> {
    if (this.token === undefined && this.auth.mode === 'oauth') {
      this.token = await this.auth.tokens.accessToken(this.auth.connectionId);
    }
    return this.token!;
  }
}
