import { Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { isAxiosError } from 'axios';
import { classifyHttpError, ExternalApiError } from '../../common/errors';
import { createHttpClient } from '../../common/http-client';
import { hostOf, isTrustedProviderHost, schemeFor } from '../../common/url-policy';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import type { OAuthCredentials, OAuthGrant, OAuthProvider } from '../../credentials/oauth-provider';

// As Bitrix24's own code lists them: a look-alike such as x.bitrix24.xyz is never a consent target.
export const PORTAL_ZONES = [
  'bitrix24.ru',
  'bitrix24.by',
  'bitrix24.kz',
  'bitrix24.ua',
  'bitrix24.com',
  'bitrix24.de',
  'bitrix24.es',
  'bitrix24.com.br',
  'bitrix24.pl',
  'bitrix24.fr',
  'bitrix24.cn',
  'bitrix24.in',
  'bitrix24.eu',
  'bitrix24.com.tr',
  'bitrix24.it',
  'bitrix24.id',
  'bitrix24.vn',
  'bitrix24.jp',
  'bitrix24.uk',
  'bitrix24.co',
  'bitrix24.mx',
] as const;

export const PORTAL_DOMAINS = [
  new RegExp(
    `^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.(?:${PORTAL_ZONES.map((z) => z.replace(/\./g, '\\.')).join('|')})$`,
  ),
];

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  client_endpoint?: string;
  member_id?: string;
  scope?: string;
  error?: string;
  error_description?: string;
}

@Injectable()
export class Bitrix24OAuth implements OAuthProvider {
  readonly name = 'bitrix24' as const;
  readonly connectionType = 'bitrix24';
  readonly refreshPolicy = 'on-expiry-error' as const;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configured(): boolean {
    return !!this.config.crm.bitrix24.clientId;
  }

  startParams(query: Record<string, string | undefined>): Record<string, string> {
    const portal = query.portal
      ?.trim()
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '');
    if (!portal)
      throw new UnprocessableEntityException(
        'portal: the Bitrix24 portal is required, e.g. ?portal=shop.bitrix24.com',
      );
    if (!this.trusted(portal)) {
      throw new UnprocessableEntityException(
        `portal: "${portal}" is not a Bitrix24 cloud portal (<name>.${PORTAL_ZONES.join(', .')})`,
      );
    }
    return { portal: portal.toLowerCase() };
  }

  authorizeUrl(state: string, params: Record<string, string>): string {
    const base = `${schemeFor(params.portal, this.insecure)}://${params.portal}/oauth/authorize/`;
    const q = new URLSearchParams({ client_id: this.config.crm.bitrix24.clientId!, state });
    return `${base}?${q.toString()}`;
  }

  async exchange(
    callback: Record<string, string | undefined>,
    params: Record<string, string>,
  ): Promise<OAuthGrant> {
    const domain = callback.domain?.toLowerCase();
    if (!domain || domain !== params.portal) {
      throw new UnprocessableEntityException(
        `domain: the callback names portal "${domain ?? ''}", not the one the flow started for`,
      );
    }
    if (!callback.code) throw new UnprocessableEntityException('code: missing from the callback');
    const answer = await this.token({ grant_type: 'authorization_code', code: callback.code });
    const endpoint = answer.client_endpoint ?? '';
    // REST calls (with the token) go only to the portal that was authorized.
    const expected = `${schemeFor(domain, this.insecure)}://${domain}/rest/`;
    if (endpoint !== expected) {
      throw new UnprocessableEntityException(
        `client_endpoint: "${endpoint}" is not the REST endpoint of ${domain}`,
      );
    }
    return {
      displayName: `Bitrix24 ${hostOf(domain)}`,
      account: {
        accountKey: answer.member_id ?? domain,
        domain,
        memberId: answer.member_id ?? null,
        clientEndpoint: endpoint,
        scope: answer.scope ?? null,
      },
      credentials: this.credentials(answer, endpoint),
    };
  }

  async refresh(
    credentials: OAuthCredentials,
    account: Record<string, unknown>,
  ): Promise<OAuthCredentials> {
    const answer = await this.token({
      grant_type: 'refresh_token',
      refresh_token: credentials.refreshToken,
    });
    return this.credentials(answer, String(account.clientEndpoint ?? credentials.clientEndpoint));
  }

  private get insecure(): string[] {
    return this.config.connectors.insecureHosts;
  }

  private trusted(domain: string): boolean {
    return isTrustedProviderHost(domain, PORTAL_DOMAINS, this.insecure);
  }

  private credentials(answer: TokenAnswer, clientEndpoint: string): OAuthCredentials {
    if (!answer.access_token || !answer.refresh_token) {
      throw new ExternalApiError(
        'bitrix24',
        'retryable',
        'BAD_BODY',
        'bitrix24: token answer without tokens',
      );
    }
    return {
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token,
      expiresAt: Date.now() + (answer.expires_in ?? 3600) * 1000,
      clientEndpoint,
    };
  }

  private async token(grant: Record<string, string>): Promise<TokenAnswer> {
    const { clientId, clientSecret, oauthServer } = this.config.crm.bitrix24;
    const http = createHttpClient({ baseURL: oauthServer, timeoutMs: 15000 });
    try {
      const res = await http.get<TokenAnswer>('/oauth/token/', {
        params: { ...grant, client_id: clientId, client_secret: clientSecret },
      });
      return res.data;
    } catch (err) {
      const body = isAxiosError(err) ? (err.response?.data as TokenAnswer | undefined) : undefined;
      if (body?.error === 'invalid_grant' || body?.error === 'invalid_client') {
        throw new ExternalApiError(
          'bitrix24',
          'auth',
          body.error,
          `bitrix24: ${body.error}${body.error_description ? ` (${body.error_description})` : ''}`,
          isAxiosError(err) ? err.response?.status : undefined,
        );
      }
      throw classifyHttpError('bitrix24', err);
    }
  }
}
