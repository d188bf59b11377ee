/**
 * amoCRM OAuth 2.0 state (docs B2): integrations, 20-minute single-use codes, 24 h access tokens,
 * single-use rotating refresh tokens, long-lived tokens, and the OAuthProblemJson errors.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { HttpError, isObject } from './http-io';
import type {
  AmoIntegrationInput,
  AmoIssuedTokens,
  AmoTokenSummary,
  AmocrmEmulatorOptions,
} from './amocrm-types';

export const OAUTH_PROBLEM_TYPE = 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson';
const OAUTH_TITLE = 'Некорректный запрос';
const OAUTH_DETAIL = 'В запросе отсутствует ряд параметров или параметры невалидны';
const LONG_LIVED_MIN_SEC = 86_400;
const LONG_LIVED_MAX_SEC = 5 * 366 * 86_400;

/** The token endpoint's error body, key order as in the reported responses. */
export function oauthProblem(status: 400 | 401, hint: string): HttpError {
  return new HttpError(status, {
    hint,
    title: OAUTH_TITLE,
    type: OAUTH_PROBLEM_TYPE,
    status,
    detail: OAUTH_DETAIL,
  });
}

export interface Clock {
  /** Milliseconds, real time plus the offset from advanceClock(). */
  now(): number;
}

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

export interface AccessRecord {
  token: string;
  clientId: string;
  kind: 'access' | 'long_lived';
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

interface RefreshRecord {
  token: string;
  clientId: string;
  issuedAt: number;
  expiresAt: number;
  state: 'active' | 'used' | 'revoked';
  accessToken: string;
}

export interface OAuthContext {
  clock: Clock;
  options: AmocrmEmulatorOptions;
  accountId(): number;
  userId(): number;
  host(): string;
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

function field(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (typeof value === 'string' && value !== '') return value;
  return typeof value === 'number' ? String(value) : undefined;
}

export class AmoOAuth {
  readonly integrations = new Map<string, AmoIntegrationInput>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly access = new Map<string, AccessRecord>();
  private readonly refresh = new Map<string, RefreshRecord>();
  private readonly signingKey = randomBytes(32);

  constructor(private readonly ctx: OAuthContext) {}

  private get nowMs(): number {
    return this.ctx.clock.now();
  }

  registerIntegration(input: AmoIntegrationInput): void {
    if (!input.clientId || !input.clientSecret || !input.redirectUri) {
      throw new Error('an integration needs clientId, clientSecret and redirectUri');
    }
    this.integrations.set(input.clientId, { ...input });
  }

  integration(clientId: string | undefined): AmoIntegrationInput | undefined {
    return clientId === undefined ? undefined : this.integrations.get(clientId);
  }

  issueCode(clientId: string): string {
    const integration = this.integrations.get(clientId);
    if (!integration) throw new Error(`unknown integration ${clientId}`);
    const code = `def50200${randomBytes(96).toString('hex')}`;
    const ttl = (this.ctx.options.codeTtlSec ?? 1200) * 1000;
    this.codes.set(code, {
      clientId,
      redirectUri: integration.redirectUri,
      expiresAt: this.nowMs + ttl,
      used: false,
    });
    return code;
  }

  /** Handles POST /oauth2/access_token; returns the grant type and the tokens or throws. */
  exchange(input: unknown): { grant: string; tokens: AmoIssuedTokens } {
    const body = isObject(input) ? input : {};
    const grant = field(body, 'grant_type');
    if (grant === undefined) throw oauthProblem(400, 'Check the `grant_type` parameter');
    if (grant !== 'authorization_code' && grant !== 'refresh_token') {
      throw oauthProblem(400, 'Unsupported grant type');
    }
    const clientId = field(body, 'client_id');
    if (clientId === undefined) throw oauthProblem(400, 'Check the `client_id` parameter');
    const integration = this.integrations.get(clientId);
    if (!integration || field(body, 'client_secret') !== integration.clientSecret) {
      throw oauthProblem(401, 'Client authentication failed');
    }
    const redirectUri = field(body, 'redirect_uri');
    if (grant === 'authorization_code') {
      const code = field(body, 'code');
      if (code === undefined) throw oauthProblem(400, 'Check the `code` parameter');
      const record = this.codes.get(code);
      if (!record) throw oauthProblem(400, 'Cannot decrypt the authorization code');
      if (record.clientId !== clientId) {
        throw oauthProblem(400, 'Authorization code was not issued to this client');
      }
      if (record.used) throw oauthProblem(400, 'Authorization code has been revoked');
      if (record.expiresAt <= this.nowMs) {
        throw oauthProblem(400, 'Authorization code has expired');
      }
      if (redirectUri === undefined) throw oauthProblem(400, 'Check the `redirect_uri` parameter');
      if (redirectUri !== record.redirectUri) throw oauthProblem(400, 'Invalid redirect URI');
      record.used = true;
      return { grant, tokens: this.issuePair(clientId) };
    }
    const token = field(body, 'refresh_token');
    if (token === undefined) throw oauthProblem(400, 'Check the `refresh_token` parameter');
    const record = this.refresh.get(token);
    if (!record) throw oauthProblem(401, 'Cannot decrypt the refresh token');
    if (record.clientId !== clientId) throw oauthProblem(401, 'Token is not linked to client');
    if (record.state !== 'active') throw oauthProblem(401, 'Token has been revoked');
    if (record.expiresAt <= this.nowMs) throw oauthProblem(401, 'Token has expired');
    if (redirectUri !== undefined && redirectUri !== integration.redirectUri) {
      throw oauthProblem(400, 'Invalid redirect URI');
    }
    record.state = 'used';
    if (this.ctx.options.revokeAccessOnRefresh ?? true) {
      const old = this.access.get(record.accessToken);
      if (old) old.revoked = true;
    }
    return { grant, tokens: this.issuePair(clientId) };
  }

  issuePair(clientId: string): AmoIssuedTokens {
    const ttlSec = this.ctx.options.accessTokenTtlSec ?? 86_400;
    const accessToken = this.issueAccess(clientId, 'access', ttlSec);
    const refreshToken = `def50200${randomBytes(160).toString('hex')}`;
    const now = this.nowMs;
    this.refresh.set(refreshToken, {
      token: refreshToken,
      clientId,
      issuedAt: now,
      expiresAt: now + (this.ctx.options.refreshTokenTtlSec ?? 90 * 86_400) * 1000,
      state: 'active',
      accessToken,
    });
    const tokens: AmoIssuedTokens = {
      token_type: 'Bearer',
      expires_in: ttlSec,
      access_token: accessToken,
      refresh_token: refreshToken,
    };
    if (this.ctx.options.flavor === 'kommo') tokens.server_time = Math.floor(now / 1000);
    return tokens;
  }

  issueLongLived(clientId: string, ttlSec: number): string {
    if (!this.integrations.has(clientId)) throw new Error(`unknown integration ${clientId}`);
    if (ttlSec < LONG_LIVED_MIN_SEC || ttlSec > LONG_LIVED_MAX_SEC) {
      throw new Error('a long-lived token lives from 1 day to 5 years');
    }
    return this.issueAccess(clientId, 'long_lived', ttlSec);
  }

  private issueAccess(clientId: string, kind: AccessRecord['kind'], ttlSec: number): string {
    const now = this.nowMs;
    const iat = Math.floor(now / 1000);
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
    const payload = base64url(
      JSON.stringify({
        aud: clientId,
        jti: randomUUID(),
        iat,
        nbf: iat,
        exp: iat + ttlSec,
        sub: String(this.ctx.userId()),
        grant_type: '',
        account_id: this.ctx.accountId(),
        base_domain: 'amocrm.ru',
        version: 2,
        scopes: ['crm', 'files', 'files_delete', 'notifications', 'push_notifications'],
        api_domain: this.ctx.host(),
        hash_uuid: randomUUID(),
        ...(kind === 'long_lived' ? { user_flags: 0, long_lived: true } : {}),
      }),
    );
    const signature = createHmac('sha256', this.signingKey)
      .update(`${header}.${payload}`)
      .digest('base64url');
    const token = `${header}.${payload}.${signature}`;
    this.access.set(token, {
      token,
      clientId,
      kind,
      issuedAt: now,
      expiresAt: now + ttlSec * 1000,
      revoked: false,
    });
    return token;
  }

  /** The record behind a valid bearer token, or undefined (unknown, expired or revoked). */
  authenticate(token: string | undefined): AccessRecord | undefined {
    const record = token === undefined ? undefined : this.access.get(token);
    if (!record || record.revoked || record.expiresAt <= this.nowMs) return undefined;
    return record;
  }

  revokeLongLived(token: string): boolean {
    const record = this.access.get(token);
    if (!record || record.kind !== 'long_lived' || record.revoked) return false;
    record.revoked = true;
    return true;
  }

  expireAccess(token?: string): number {
    let count = 0;
    const now = this.nowMs;
    for (const record of this.access.values()) {
      if (token !== undefined && record.token !== token) continue;
      if (record.expiresAt > now) count += 1;
      record.expiresAt = Math.min(record.expiresAt, now);
    }
    return count;
  }

  revokeRefresh(token?: string): number {
    let count = 0;
    for (const record of this.refresh.values()) {
      if (token !== undefined && record.token !== token) continue;
      if (record.state === 'active') count += 1;
      if (record.state === 'active') record.state = 'revoked';
    }
    return count;
  }

  summaries(): AmoTokenSummary[] {
    const now = this.nowMs;
    const access = [...this.access.values()].map((r): AmoTokenSummary => ({
      kind: r.kind,
      token: r.token,
      clientId: r.clientId,
      issuedAt: r.issuedAt,
      expiresAt: r.expiresAt,
      state: r.revoked ? 'revoked' : r.expiresAt <= now ? 'expired' : 'active',
    }));
    const refresh = [...this.refresh.values()].map((r): AmoTokenSummary => ({
      kind: 'refresh',
      token: r.token,
      clientId: r.clientId,
      issuedAt: r.issuedAt,
      expiresAt: r.expiresAt,
      state: r.state === 'active' && r.expiresAt <= now ? 'expired' : r.state,
    }));
    return [...access, ...refresh];
  }

  clearTokens(): void {
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
  }
}
