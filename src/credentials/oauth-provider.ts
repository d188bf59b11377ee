export interface OAuthCredentials {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  [extra: string]: unknown;
}

export interface OAuthGrant {
  displayName: string;
  /** `accountKey` identifies the account: connecting it again updates the same connection. */
  account: Record<string, unknown> & { accountKey: string };
  credentials: OAuthCredentials;
}

export interface OAuthProvider {
  readonly name: string;
  readonly connectionType: string;
  /** `on-expiry-error`: refresh when the API says the token expired (Bitrix24); `ahead`: before. */
  readonly refreshPolicy: 'on-expiry-error' | 'ahead';
  configured(): boolean;
  startParams(query: Record<string, string | undefined>): Record<string, string>;
  authorizeUrl(state: string, params: Record<string, string>): string;
  exchange(
    callback: Record<string, string | undefined>,
    params: Record<string, string>,
  ): Promise<OAuthGrant>;
  refresh(
    credentials: OAuthCredentials,
    account: Record<string, unknown>,
  ): Promise<OAuthCredentials>;
}

export interface AccessTokenSource {
  accessToken(connectionId: string, rejected?: string): Promise<string>;
}
