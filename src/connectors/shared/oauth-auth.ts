import type { AccessTokenSource } from '../../credentials/oauth-provider';

export interface OAuthAuth {
  mode: 'oauth';
  connectionId: string;
  tokens: AccessTokenSource;
  first?: string;
}

// A stored access token this fresh is used as is; closer to expiry the token service decides.
const FRESH_FOR_MS = 10 * 60_000;

export function oauthAuth(
  connectionId: string,
  creds: Record<string, unknown> | null | undefined,
  tokens: AccessTokenSource,
): OAuthAuth | undefined {
  if (typeof creds?.accessToken !== 'string' || typeof creds.refreshToken !== 'string') {
    return undefined;
  }
  const fresh = typeof creds.expiresAt === 'number' && creds.expiresAt > Date.now() + FRESH_FOR_MS;
  return { mode: 'oauth', connectionId, tokens, first: fresh ? creds.accessToken : undefined };
}
