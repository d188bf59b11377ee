import { Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { isAxiosError } from 'axios';
import { classifyHttpError, ExternalApiError } from '../../common/errors';
import { createHttpClient } from '../../common/http-client';
import { hostOf, isTrustedProviderHost, schemeFor } from '../../common/url-policy';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import type { OAuthCredentials, OAuthGrant, OAuthProvider } from '../../credentials/oauth-provider';
import { classifyAmocrmError } from './amocrm.errors';

export const ACCOUNT_DOMAINS = [/\.amocrm\.(ru|com)$/, /\.kommo\.com$/];

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
}

// Refresh tokens are single-use and rotate: refreshed ahead of expiry under the token service's lock.
@Injectable()
export class AmocrmOAuth implements OAuthProvider {
  readonly name = 'amocrm' as const;
  readonly connectionType = 'amocrm';
  readonly refreshPolicy = 'ahead' as const;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configured(): boolean {
    return !!this.config.crm.amocrm.clientId;
  }

  startParams(): Record<string, string> {
    return {};
  }

  authorizeUrl(state: string): string {
    const q = new URLSearchParams({
      client_id: this.config.crm.amocrm.clientId!,
      state,
      mode: 'post_message',
    });
    return `${this.config.crm.amocrm.authorizeUrl}?${q.toString()}`;
  }

  async exchange(callback: Record<string, string | undefined>): Promise<OAuthGrant> {
    const referer = callback.referer?.toLowerCase();
    if (
      !referer ||
      !isTrustedProviderHost(referer, ACCOUNT_DOMAINS, this.insecure) ||
      referer.includes('/')
    ) {
      throw new UnprocessableEntityException(
        `referer: "${referer ?? ''}" is not an amoCRM or Kommo account host`,
      );
    }
    if (!callback.code) throw new UnprocessableEntityException('code: missing from the callback');
    const baseUrl = `${schemeFor(referer, this.insecure)}://${referer}`;
    const answer = await this.token(baseUrl, {
      grant_type: 'authorization_code',
      code: callback.code,
    });
    const credentials = this.credentials(answer, baseUrl);
    const account = await this.account(baseUrl, credentials.accessToken);
    return {
      displayName: `amoCRM ${account.name ?? hostOf(referer)}`,
      account: {
        accountKey: hostOf(referer),
        host: hostOf(referer),
        baseUrl,
        accountId: account.id ?? null,
        name: account.name ?? null,
      },
      credentials,
    };
  }

  async refresh(
    credentials: OAuthCredentials,
    account: Record<string, unknown>,
  ): Promise<OAuthCredentials> {
    const baseUrl = String(account.baseUrl);
    const answer = await this.token(baseUrl, {
      grant_type: 'refresh_token',
      refresh_token: credentials.refreshToken,
    });
    return this.credentials(answer, baseUrl);
  }

  private get insecure(): string[] {
    return this.config.connectors.insecureHosts;
  }

  private credentials(answer: TokenAnswer, baseUrl: string): OAuthCredentials {
    if (!answer.access_token || !answer.refresh_token) {
      throw new ExternalApiError(
        'amocrm',
        'retryable',
        'BAD_BODY',
        'amocrm: token answer without tokens',
      );
    }
    return {
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token,
      expiresAt: Date.now() + (answer.expires_in ?? 86400) * 1000,
      baseUrl,
    };
  }

  private async token(baseUrl: string, grant: Record<string, string>): Promise<TokenAnswer> {
    const { clientId, clientSecret } = this.config.crm.amocrm;
    const http = createHttpClient({ baseURL: baseUrl, timeoutMs: 15000 });
    try {
      const res = await http.post<TokenAnswer>('/oauth2/access_token', {
        ...grant,
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uri: `${this.config.http.publicBaseUrl}/oauth/amocrm/callback`,
      });
      return res.data;
    } catch (err) {
      // A blocked account answers here too with an nginx 403 page: wait for the block to lift.
      if (isAxiosError(err) && err.response?.status === 403) {
        const blocked = classifyAmocrmError(
          403,
          err.response.data,
          err.response.headers['retry-after'],
        );
        if (blocked.code === 'ACCOUNT_BLOCKED') throw blocked;
      }
      const e = classifyHttpError('amocrm', err);
      // 400/401 from the token endpoint: a used, revoked or expired code or refresh token.
      if (e.httpStatus === 400 || e.httpStatus === 401) {
        throw new ExternalApiError(
          'amocrm',
          'auth',
          'invalid_grant',
          `${e.message} (token refused)`,
          e.httpStatus,
        );
      }
      throw e;
    }
  }

  private async account(baseUrl: string, token: string): Promise<{ id?: number; name?: string }> {
    const http = createHttpClient({
      baseURL: baseUrl,
      timeoutMs: 15000,
      headers: { authorization: `Bearer ${token}` },
    });
    try {
      return (await http.get<{ id?: number; name?: string }>('/api/v4/account')).data;
    } catch (err) {
      throw classifyHttpError('amocrm', err);
    }
  }
}
