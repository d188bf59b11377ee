/**
 * Google OAuth 2.0 state (docs C4, D): clients, consent grants, codes, access tokens, non-rotating
 * refresh tokens (issued only with offline access and, after the first consent, only with
 * prompt=consent), revocation, tokeninfo/userinfo data, and the service-account JWT bearer grant.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isObject, oauthError } from './http-io';
import { IdTokenSigner } from './id-token';
import { EMAIL_SCOPE, JWT_BEARER, normalizeScopes, subjectOf } from './identity';
import { ServiceAccounts } from './service-accounts';
import type {
  GoogleApproveOptions,
  GoogleClientInput,
  GoogleEmulatorOptions,
  GoogleTokenResponse,
  GoogleTokenSummary,
  ServiceAccountInput,
} from './google-types';

export interface Clock {
  now(): number;
}

export interface AuthRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  offline: boolean;
  prompt: Set<string>;
  state?: string;
  includeGranted: boolean;
  loginHint?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
}

interface Grant {
  scopes: Set<string>;
  /** Refresh tokens of this client+user, oldest first. */
  refreshTokens: string[];
}

interface CodeRecord {
  request: AuthRequest;
  email: string;
  scopes: string[];
  issueRefresh: boolean;
  expiresAt: number;
  used: boolean;
}

export interface AccessRecord {
  token: string;
  clientId?: string;
  email: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
  offline: boolean;
  refreshToken?: string;
}

interface RefreshRecord {
  token: string;
  clientId: string;
  email: string;
  scopes: string[];
  expiresAt?: number;
  revoked: boolean;
}

const random = (prefix: string, bytes: number): string =>
  `${prefix}${randomBytes(bytes).toString('base64url')}`;

export class GoogleOAuth {
  readonly clients = new Map<string, GoogleClientInput>();
  private readonly serviceAccounts = new ServiceAccounts();
  private readonly signer = new IdTokenSigner();
  private readonly grants = new Map<string, Grant>();
  private readonly codes = new Map<string, CodeRecord>();
  readonly access = new Map<string, AccessRecord>();
  private readonly refresh = new Map<string, RefreshRecord>();
  refreshTokensIssued = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: GoogleEmulatorOptions,
  ) {}

  private get now(): number {
    return this.clock.now();
  }

  registerClient(input: GoogleClientInput): void {
    if (!input.clientId || !input.clientSecret)
      throw new Error('a client needs clientId and clientSecret');
    this.clients.set(input.clientId, { ...input, redirectUris: [...(input.redirectUris ?? [])] });
  }

  registerServiceAccount(input: ServiceAccountInput): void {
    this.serviceAccounts.register(input);
  }

  redirectAllowed(client: GoogleClientInput, uri: string): boolean {
    const list = client.redirectUris ?? [];
    return list.length === 0 || list.includes(uri);
  }

  hasGrant(clientId: string, email: string, scopes: string[]): boolean {
    const grant = this.grants.get(`${clientId}|${email}`);
    return grant !== undefined && scopes.every((s) => grant.scopes.has(s));
  }

  /** Records consent and issues a code; returns the redirect URL. */
  approve(
    request: AuthRequest,
    email: string,
    options: GoogleApproveOptions,
  ): { code?: string; redirectUrl: string } {
    const url = new URL(request.redirectUri);
    if (options.deny) {
      url.searchParams.set('error', 'access_denied');
      if (request.state !== undefined) url.searchParams.set('state', request.state);
      return { redirectUrl: url.toString() };
    }
    const granted = options.grantedScopes
      ? request.scopes.filter((s) => normalizeScopes(options.grantedScopes ?? []).includes(s))
      : request.scopes;
    const key = `${request.clientId}|${email}`;
    const grant = this.grants.get(key) ?? { scopes: new Set<string>(), refreshTokens: [] };
    const firstOffline = !grant.refreshTokens.some((t) => this.refreshActive(t));
    const scopes = request.includeGranted ? [...new Set([...grant.scopes, ...granted])] : granted;
    granted.forEach((s) => grant.scopes.add(s));
    this.grants.set(key, grant);
    const code = random('4/0A', 48);
    this.codes.set(code, {
      request,
      email,
      scopes,
      issueRefresh: request.offline && (firstOffline || request.prompt.has('consent')),
      expiresAt: this.now + (this.options.codeTtlSec ?? 600) * 1000,
      used: false,
    });
    if (request.state !== undefined) url.searchParams.set('state', request.state);
    url.searchParams.set('code', code);
    url.searchParams.set('scope', scopes.join(' '));
    url.searchParams.set('authuser', '0');
    url.searchParams.set(
      'prompt',
      request.prompt.has('consent') || firstOffline ? 'consent' : 'none',
    );
    return { code, redirectUrl: url.toString() };
  }

  private refreshActive(token: string): boolean {
    const record = this.refresh.get(token);
    return record !== undefined && !record.revoked && (record.expiresAt ?? Infinity) > this.now;
  }

  private authenticateClient(
    body: Record<string, unknown>,
    basic?: [string, string],
  ): GoogleClientInput {
    const clientId =
      basic?.[0] ?? (typeof body.client_id === 'string' ? body.client_id : undefined);
    const secret =
      basic?.[1] ?? (typeof body.client_secret === 'string' ? body.client_secret : undefined);
    if (clientId === undefined)
      throw oauthError(400, 'invalid_request', 'Could not determine client ID from request.');
    const client = this.clients.get(clientId);
    if (!client) throw oauthError(401, 'invalid_client', 'The OAuth client was not found.');
    if (secret !== client.clientSecret) throw oauthError(401, 'invalid_client', 'Unauthorized');
    return client;
  }

  /** POST /token. `basic` is a decoded `Authorization: Basic` header. */
  exchange(
    input: unknown,
    tokenUrl: string,
    basic?: [string, string],
  ): { grant: string; body: GoogleTokenResponse } {
    const body = isObject(input) ? input : {};
    const grant = typeof body.grant_type === 'string' ? body.grant_type : '';
    if (grant === JWT_BEARER) return { grant, body: this.jwtBearer(body.assertion, tokenUrl) };
    if (grant !== 'authorization_code' && grant !== 'refresh_token') {
      throw oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grant}`);
    }
    const client = this.authenticateClient(body, basic);
    if (grant === 'authorization_code') return { grant, body: this.codeGrant(body, client) };
    const token = typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
    if (token === undefined)
      throw oauthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
    const record = this.refresh.get(token);
    if (!record || !this.refreshActive(token)) {
      throw oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    }
    if (record.clientId !== client.clientId)
      throw oauthError(400, 'unauthorized_client', 'Unauthorized');
    const access = this.issueAccess(client.clientId, record.email, record.scopes, true, token);
    return { grant, body: this.response(access, client.clientId) };
  }

  private codeGrant(body: Record<string, unknown>, client: GoogleClientInput): GoogleTokenResponse {
    const code = typeof body.code === 'string' ? body.code : undefined;
    if (code === undefined)
      throw oauthError(400, 'invalid_request', 'Missing required parameter: code');
    const record = this.codes.get(code);
    if (!record) throw oauthError(400, 'invalid_grant', 'Malformed auth code.');
    if (
      record.used ||
      record.expiresAt <= this.now ||
      record.request.clientId !== client.clientId
    ) {
      throw oauthError(400, 'invalid_grant', 'Bad Request');
    }
    if (body.redirect_uri !== record.request.redirectUri) {
      throw oauthError(400, 'redirect_uri_mismatch', 'Bad Request');
    }
    const { codeChallenge, codeChallengeMethod } = record.request;
    if (codeChallenge !== undefined) {
      const verifier = typeof body.code_verifier === 'string' ? body.code_verifier : '';
      const derived =
        codeChallengeMethod === 'plain'
          ? verifier
          : createHash('sha256').update(verifier).digest('base64url');
      if (verifier === '') throw oauthError(400, 'invalid_grant', 'Missing code verifier.');
      if (derived !== codeChallenge)
        throw oauthError(400, 'invalid_grant', 'Invalid code verifier.');
    }
    record.used = true;
    let refreshToken: string | undefined;
    if (record.issueRefresh)
      refreshToken = this.issueRefresh(client.clientId, record.email, record.scopes);
    const access = this.issueAccess(
      client.clientId,
      record.email,
      record.scopes,
      record.request.offline,
      refreshToken,
    );
    return this.response(access, client.clientId, refreshToken);
  }

  private jwtBearer(assertion: unknown, tokenUrl: string): GoogleTokenResponse {
    const { email, scopes } = this.serviceAccounts.verify(assertion, tokenUrl, this.now);
    const access = this.issueAccess(undefined, email, scopes, false);
    return { access_token: access.token, expires_in: this.ttlSec(), token_type: 'Bearer' };
  }

  private ttlSec(): number {
    return this.options.accessTokenTtlSec ?? 3599;
  }

  issueAccess(
    clientId: string | undefined,
    email: string,
    scopes: string[],
    offline: boolean,
    refreshToken?: string,
  ): AccessRecord {
    const record: AccessRecord = {
      token: random('ya29.a0', 120),
      clientId,
      email,
      scopes,
      expiresAt: this.now + this.ttlSec() * 1000,
      revoked: false,
      offline,
      refreshToken,
    };
    this.access.set(record.token, record);
    return record;
  }

  issueRefresh(clientId: string, email: string, scopes: string[]): string {
    const token = random('1//0g', 96);
    const ttl = this.options.refreshTokenTtlSec;
    this.refresh.set(token, {
      token,
      clientId,
      email,
      scopes,
      expiresAt: ttl === undefined ? undefined : this.now + ttl * 1000,
      revoked: false,
    });
    this.refreshTokensIssued += 1;
    const key = `${clientId}|${email}`;
    const grant = this.grants.get(key) ?? { scopes: new Set(scopes), refreshTokens: [] };
    grant.refreshTokens.push(token);
    const max = this.options.maxRefreshTokensPerUser ?? 100;
    const live = grant.refreshTokens.filter((t) => this.refreshActive(t));
    if (live.length > max) this.revokeRefreshOnly(live[0]);
    this.grants.set(key, grant);
    return token;
  }

  response(access: AccessRecord, clientId: string, refreshToken?: string): GoogleTokenResponse {
    const ttl = this.options.refreshTokenTtlSec;
    return {
      access_token: access.token,
      expires_in: this.ttlSec(),
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      ...(refreshToken === undefined || ttl === undefined ? {} : { refresh_token_expires_in: ttl }),
      scope: access.scopes.join(' '),
      token_type: 'Bearer',
      ...(access.scopes.includes('openid') ? { id_token: this.idToken(access, clientId) } : {}),
    };
  }

  private idToken(access: AccessRecord, clientId: string): string {
    const iat = Math.floor(this.now / 1000);
    const atHash = createHash('sha256')
      .update(access.token)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
    const claims: Record<string, unknown> = {
      iss: 'https://accounts.google.com',
      azp: clientId,
      aud: clientId,
      sub: subjectOf(access.email),
      at_hash: atHash,
      iat,
      exp: iat + 3600,
    };
    if (access.scopes.includes(EMAIL_SCOPE)) {
      Object.assign(claims, { email: access.email, email_verified: true });
    }
    return this.signer.sign(claims);
  }

  jwks(): object {
    return this.signer.jwks();
  }

  /** A valid access token's record, or why it is not valid. */
  lookup(token: string | undefined): {
    record?: AccessRecord;
    reason?: 'missing' | 'expired' | 'invalid';
  } {
    if (token === undefined) return { reason: 'missing' };
    const record = this.access.get(token);
    if (!record || record.revoked) return { reason: 'invalid' };
    if (record.expiresAt <= this.now) return { reason: 'expired' };
    return { record };
  }

  /** POST /revoke: a user's revocation drops the whole grant (all its tokens). */
  revokeGrant(token: string): boolean {
    const refresh = this.refresh.get(token);
    const access = this.access.get(token);
    const owner = refresh ?? access;
    if (!owner || owner.revoked) return false;
    if (owner.clientId === undefined) {
      owner.revoked = true;
      return true;
    }
    const { clientId, email } = owner;
    this.grants.delete(`${clientId}|${email}`);
    for (const r of this.refresh.values()) {
      if (r.clientId === clientId && r.email === email) r.revoked = true;
    }
    for (const a of this.access.values()) {
      if (a.clientId === clientId && a.email === email) a.revoked = true;
    }
    return true;
  }

  /** Control: revoke one refresh token (and the access tokens minted from it). */
  private revokeRefreshOnly(token: string): void {
    const record = this.refresh.get(token);
    if (!record) return;
    record.revoked = true;
    for (const a of this.access.values()) if (a.refreshToken === token) a.revoked = true;
  }

  revokeRefresh(token?: string): number {
    let count = 0;
    for (const record of this.refresh.values()) {
      if ((token !== undefined && record.token !== token) || record.revoked) continue;
      this.revokeRefreshOnly(record.token);
      count += 1;
    }
    return count;
  }

  expireAccess(token?: string): number {
    let count = 0;
    for (const record of this.access.values()) {
      if (token !== undefined && record.token !== token) continue;
      if (record.expiresAt > this.now) count += 1;
      record.expiresAt = Math.min(record.expiresAt, this.now);
    }
    return count;
  }

  summaries(): GoogleTokenSummary[] {
    const state = (revoked: boolean, expiresAt?: number): GoogleTokenSummary['state'] =>
      revoked ? 'revoked' : (expiresAt ?? Infinity) <= this.now ? 'expired' : 'active';
    return [
      ...[...this.access.values()].map((r): GoogleTokenSummary => ({
        kind: 'access',
        token: r.token,
        clientId: r.clientId,
        email: r.email,
        scopes: r.scopes,
        expiresAt: r.expiresAt,
        state: state(r.revoked, r.expiresAt),
      })),
      ...[...this.refresh.values()].map((r): GoogleTokenSummary => ({
        kind: 'refresh',
        token: r.token,
        clientId: r.clientId,
        email: r.email,
        scopes: r.scopes,
        expiresAt: r.expiresAt,
        state: state(r.revoked, r.expiresAt),
      })),
    ];
  }

  clear(): void {
    this.clients.clear();
    this.serviceAccounts.clear();
    this.grants.clear();
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
    this.refreshTokensIssued = 0;
  }
}
