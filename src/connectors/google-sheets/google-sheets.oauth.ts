import { Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
// google-auth-library alone (~13 MB resident); the googleapis index loads every API (~110 MB).
import { OAuth2Client } from 'google-auth-library';
import { ExternalApiError } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import type { OAuthCredentials, OAuthGrant, OAuthProvider } from '../../credentials/oauth-provider';

export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';

// Forced consent so a refresh token always comes back; Google does not rotate it.
@Injectable()
export class GoogleOAuth implements OAuthProvider {
  readonly name = 'google' as const;
  readonly connectionType = 'google-sheets';
  readonly refreshPolicy = 'ahead' as const;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configured(): boolean {
    return !!this.config.crm.google.clientId;
  }

  startParams(query: Record<string, string | undefined>): Record<string, string> {
    const id = query.spreadsheetId?.trim();
    if (id === undefined || id === '') return {};
    if (!/^[A-Za-z0-9_-]{10,100}$/.test(id)) {
      throw new UnprocessableEntityException('spreadsheetId: not a Google spreadsheet id');
    }
    return { spreadsheetId: id };
  }

  authorizeUrl(state: string): string {
    return this.client().generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: [SHEETS_SCOPE, 'email'],
      state,
    });
  }

  async exchange(
    callback: Record<string, string | undefined>,
    params: Record<string, string>,
  ): Promise<OAuthGrant> {
    if (callback.error) {
      throw new UnprocessableEntityException(`error: Google says ${callback.error}`);
    }
    if (!callback.code) throw new UnprocessableEntityException('code: missing from the callback');
    const client = this.client();
    const { tokens } = await this.call(() => client.getToken(callback.code!));
    if (!tokens.access_token || !tokens.refresh_token) {
      throw new UnprocessableEntityException(
        'refresh_token: Google returned none; remove the app from the Google account and connect again',
      );
    }
    if (!(tokens.scope ?? '').split(' ').includes(SHEETS_SCOPE)) {
      throw new UnprocessableEntityException('scope: the Sheets permission was not granted');
    }
    const info = await this.call(() => client.getTokenInfo(tokens.access_token!));
    const email = info.email;
    if (!email) throw new UnprocessableEntityException('email: Google did not say which account');
    return {
      displayName: `Google Sheets ${email}`,
      account: { accountKey: email, email, spreadsheetId: params.spreadsheetId ?? null },
      credentials: {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        expiresAt: tokens.expiry_date ?? Date.now() + 3600_000,
      },
    };
  }

  async refresh(credentials: OAuthCredentials): Promise<OAuthCredentials> {
    const client = this.client();
    client.setCredentials({ refresh_token: credentials.refreshToken });
    const { credentials: next } = await this.call(() => client.refreshAccessToken());
    if (!next.access_token) {
      throw new ExternalApiError(
        'google',
        'retryable',
        'BAD_BODY',
        'google: refresh without a token',
      );
    }
    return {
      accessToken: next.access_token,
      // Google keeps the refresh token unless it sends a new one.
      refreshToken: next.refresh_token ?? credentials.refreshToken,
      expiresAt: next.expiry_date ?? Date.now() + 3600_000,
    };
  }

  private client() {
    const { clientId, clientSecret, authorizeUrl, tokenUrl } = this.config.crm.google;
    return new OAuth2Client({
      clientId,
      clientSecret,
      // Node's own fetch, so gaxios never falls back to loading node-fetch.
      transporterOptions: { fetchImplementation: fetch },
      redirectUri: `${this.config.http.publicBaseUrl}/oauth/google/callback`,
      endpoints: {
        oauth2AuthBaseUrl: authorizeUrl,
        oauth2TokenUrl: tokenUrl,
        tokenInfoUrl: new URL('/tokeninfo', tokenUrl).toString(),
        oauth2RevokeUrl: new URL('/revoke', tokenUrl).toString(),
      },
    });
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = err as {
        response?: { status?: number; data?: { error?: string } };
        message?: string;
      };
      const status = e.response?.status;
      const code = e.response?.data?.error ?? 'GOOGLE_ERROR';
      const kind =
        code === 'invalid_grant' || code === 'invalid_client' || status === 401 || status === 403
          ? 'auth'
          : status === undefined || status === 429 || status >= 500
            ? 'retryable'
            : 'permanent';
      throw new ExternalApiError('google', kind, code, `google: ${e.message ?? code}`, status);
    }
  }
}
