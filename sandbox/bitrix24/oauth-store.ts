/**
 * The OAuth server's memory (A1): codes (30 s, single use), access tokens (1 h) and rotating refresh
 * tokens (180 days). A refresh retires the used refresh token and the access token issued with it.
 */
import { randomHex } from './portal-model';

export interface AuthCode {
  code: string;
  portal: string;
  userId: number;
  clientId: string;
  expiresAt: number;
}

export interface AccessToken {
  token: string;
  portal: string;
  userId: number;
  clientId: string;
  scope: string[];
  expiresAt: number;
  refreshToken: string;
}

export interface RefreshToken {
  token: string;
  portal: string;
  userId: number;
  clientId: string;
  scope: string[];
  expiresAt: number;
  accessToken: string;
}

export interface OAuthCounters {
  /** Codes issued by the authorize page. */
  authorizations: number;
  /** Successful `grant_type=authorization_code` exchanges. */
  codeExchanges: number;
  /** Successful `grant_type=refresh_token` calls. */
  refreshes: number;
  /** Token endpoint answers with an error. */
  errors: number;
}

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
  ) {
    super(`${code}: ${description}`);
  }
}

export interface TokenTtls {
  codeMs: number;
  accessMs: number;
  refreshMs: number;
}

export type AccessLookup =
  | { kind: 'ok'; token: AccessToken }
  | { kind: 'expired'; token: AccessToken }
  | { kind: 'unknown' };

export class OAuthStore {
  private codes = new Map<string, AuthCode>();
  private access = new Map<string, AccessToken>();
  private refresh = new Map<string, RefreshToken>();
  counters: OAuthCounters = { authorizations: 0, codeExchanges: 0, refreshes: 0, errors: 0 };

  constructor(private readonly ttls: TokenTtls) {}

  issueCode(portal: string, userId: number, clientId: string, now: number): AuthCode {
    const code: AuthCode = {
      code: randomHex(35),
      portal,
      userId,
      clientId,
      expiresAt: now + this.ttls.codeMs,
    };
    this.codes.set(code.code, code);
    this.counters.authorizations += 1;
    return code;
  }

  /** Consumes a code (even an expired one) and issues the first token pair of a chain. */
  exchangeCode(code: string, clientId: string, scope: string[], now: number): AccessToken {
    const found = this.codes.get(code);
    if (!found || found.clientId !== clientId) {
      throw new OAuthError(
        400,
        'invalid_grant',
        "Authorization code doesn't exist or is invalid for the client",
      );
    }
    this.codes.delete(code);
    if (found.expiresAt <= now) {
      throw new OAuthError(400, 'invalid_grant', 'The authorization code has expired');
    }
    this.counters.codeExchanges += 1;
    return this.issuePair(found.portal, found.userId, clientId, scope, now);
  }

  /** Rotates: the used refresh token and its access token stop working. */
  rotate(refreshToken: string, clientId: string, now: number): AccessToken {
    const found = this.refresh.get(refreshToken);
    if (!found || found.clientId !== clientId) {
      throw new OAuthError(400, 'invalid_grant', 'Invalid refresh token');
    }
    if (found.expiresAt <= now) {
      this.refresh.delete(refreshToken);
      throw new OAuthError(400, 'invalid_grant', 'Refresh token has expired');
    }
    this.refresh.delete(refreshToken);
    this.access.delete(found.accessToken);
    this.counters.refreshes += 1;
    return this.issuePair(found.portal, found.userId, clientId, found.scope, now);
  }

  issuePair(
    portal: string,
    userId: number,
    clientId: string,
    scope: string[],
    now: number,
  ): AccessToken {
    const access: AccessToken = {
      token: randomHex(35),
      portal,
      userId,
      clientId,
      scope,
      expiresAt: now + this.ttls.accessMs,
      refreshToken: randomHex(35),
    };
    this.access.set(access.token, access);
    this.refresh.set(access.refreshToken, {
      token: access.refreshToken,
      portal,
      userId,
      clientId,
      scope,
      expiresAt: now + this.ttls.refreshMs,
      accessToken: access.token,
    });
    return access;
  }

  lookupAccess(token: string, now: number): AccessLookup {
    const found = this.access.get(token);
    if (!found) return { kind: 'unknown' };
    return found.expiresAt <= now
      ? { kind: 'expired', token: found }
      : { kind: 'ok', token: found };
  }

  /** Expires one access token, or all (of a portal); returns how many. */
  expireAccess(now: number, filter: { token?: string; portal?: string }): number {
    let count = 0;
    for (const t of this.access.values()) {
      if (filter.token !== undefined && t.token !== filter.token) continue;
      if (filter.portal !== undefined && t.portal !== filter.portal) continue;
      if (t.expiresAt > now - 1) {
        t.expiresAt = now - 1;
        count += 1;
      }
    }
    return count;
  }

  revokeRefresh(token: string): boolean {
    return this.refresh.delete(token);
  }

  /** Drops every token and code of a portal (an uninstall). */
  revokePortal(portal: string): number {
    let count = 0;
    for (const map of [this.codes, this.access, this.refresh] as Array<
      Map<string, { portal: string }>
    >) {
      for (const [key, value] of map) {
        if (value.portal === portal) {
          map.delete(key);
          count += 1;
        }
      }
    }
    return count;
  }

  stats(now: number): { codes: number; activeAccessTokens: number; refreshTokens: number } {
    return {
      codes: [...this.codes.values()].filter((c) => c.expiresAt > now).length,
      activeAccessTokens: [...this.access.values()].filter((t) => t.expiresAt > now).length,
      refreshTokens: [...this.refresh.values()].filter((t) => t.expiresAt > now).length,
    };
  }

  clear(): void {
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
    this.counters = { authorizations: 0, codeExchanges: 0, refreshes: 0, errors: 0 };
  }
}
