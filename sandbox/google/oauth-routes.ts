/**
 * OAuth 2.0 routes (docs C4, C5): the authorize endpoint and consent page, the token endpoint
 * (authorization_code, refresh_token, jwt-bearer), revoke, tokeninfo, userinfo and certs.
 */
import type { AuthRequest } from './google-oauth';
import { EMAIL_SCOPE, KNOWN_SCOPES, PROFILE_SCOPE, normalizeScopes, subjectOf } from './identity';
import type { GoogleState } from './google-state';
import {
  HttpError,
  escapeHtml,
  googleError,
  headerValue,
  isObject,
  oauthError,
  readBody,
  readPayload,
  redirect,
  sendHtml,
  sendJson,
} from './http-io';
import { route, type RequestContext, type Route } from './route-table';

const REQUEST_FIELDS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'access_type',
  'prompt',
  'state',
  'include_granted_scopes',
  'login_hint',
  'code_challenge',
  'code_challenge_method',
];

function errorPage(status: number, error: string, description: string): HttpError {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Error ${status} (${escapeHtml(error)})</title></head>
<body><h1>Access blocked: authorization error</h1><p>Error ${status}: ${escapeHtml(error)}</p>
<p>${escapeHtml(description)}</p></body></html>`;
  return new HttpError(status, html, {}, true);
}

/** Validates authorize parameters the way Google does before it will redirect anywhere. */
export function parseAuthRequest(state: GoogleState, params: URLSearchParams): AuthRequest {
  const get = (k: string): string | undefined => params.get(k) ?? undefined;
  const clientId = get('client_id');
  if (!clientId) throw errorPage(400, 'invalid_request', 'Missing required parameter: client_id');
  const client = state.oauth.clients.get(clientId);
  if (!client) throw errorPage(401, 'invalid_client', 'The OAuth client was not found.');
  const redirectUri = get('redirect_uri');
  if (!redirectUri)
    throw errorPage(400, 'invalid_request', 'Missing required parameter: redirect_uri');
  if (!state.oauth.redirectAllowed(client, redirectUri)) {
    throw errorPage(
      400,
      'redirect_uri_mismatch',
      `redirect_uri=${redirectUri} is not registered for this client.`,
    );
  }
  const responseType = get('response_type');
  if (!responseType)
    throw errorPage(400, 'invalid_request', 'Missing required parameter: response_type');
  if (responseType !== 'code')
    throw errorPage(400, 'unsupported_response_type', `Invalid response_type: ${responseType}`);
  const scopeText = get('scope');
  if (!scopeText) throw errorPage(400, 'invalid_request', 'Missing required parameter: scope');
  const scopes = normalizeScopes(scopeText);
  const invalid = scopes.filter((s) => !KNOWN_SCOPES.has(s));
  if (invalid.length > 0) {
    throw errorPage(
      400,
      'invalid_scope',
      `Some requested scopes were invalid. {invalid=[${invalid.join(', ')}]}`,
    );
  }
  const accessType = get('access_type') ?? 'online';
  if (accessType !== 'online' && accessType !== 'offline') {
    throw errorPage(400, 'invalid_request', `Invalid access_type: ${accessType}`);
  }
  const prompt = new Set((get('prompt') ?? '').split(' ').filter((p) => p !== ''));
  if (
    [...prompt].some((p) => !['none', 'consent', 'select_account'].includes(p)) ||
    (prompt.has('none') && prompt.size > 1)
  ) {
    throw errorPage(400, 'invalid_request', `Invalid prompt: ${get('prompt') ?? ''}`);
  }
  const method = get('code_challenge_method');
  if (method !== undefined && method !== 'S256' && method !== 'plain') {
    throw errorPage(400, 'invalid_request', `Invalid code_challenge_method: ${method}`);
  }
  return {
    clientId,
    redirectUri,
    scopes,
    offline: accessType === 'offline',
    prompt,
    state: get('state'),
    includeGranted: get('include_granted_scopes') === 'true',
    loginHint: get('login_hint'),
    codeChallenge: get('code_challenge'),
    codeChallengeMethod: get('code_challenge') === undefined ? undefined : (method ?? 'plain'),
  };
}

function consentPage(state: GoogleState, params: URLSearchParams, request: AuthRequest): string {
  const hidden = REQUEST_FIELDS.filter((k) => params.has(k))
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(params.get(k) ?? '')}">`)
    .join('\n');
  const scopes = request.scopes
    .map(
      (s) =>
        `<label><input type="checkbox" name="grant_scope" value="${escapeHtml(s)}" checked> ${escapeHtml(s)}</label><br>`,
    )
    .join('\n');
  const email = request.loginHint ?? state.signedInUser;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Sign in - Google Accounts</title></head>
<body><h1>${escapeHtml(request.clientId)} wants access to your Google Account</h1>
<form method="post" action="/o/oauth2/v2/auth/approve">
${hidden}
<label>Account <input name="email" value="${escapeHtml(email)}"></label><br>
${scopes}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form></body></html>`;
}

function authorizeRoute(state: GoogleState, { url, res }: RequestContext): void {
  const request = parseAuthRequest(state, url.searchParams);
  const email = request.loginHint ?? state.signedInUser;
  if (request.prompt.has('none')) {
    if (state.oauth.hasGrant(request.clientId, email, request.scopes)) {
      redirect(res, state.oauth.approve(request, email, {}).redirectUrl);
      return;
    }
    const target = new URL(request.redirectUri);
    target.searchParams.set('error', 'consent_required');
    if (request.state !== undefined) target.searchParams.set('state', request.state);
    redirect(res, target.toString());
    return;
  }
  if (state.autoApprove !== false) {
    const options = state.autoApprove;
    redirect(res, state.oauth.approve(request, options.email ?? email, options).redirectUrl);
    return;
  }
  sendHtml(res, 200, consentPage(state, url.searchParams, request));
}

async function approveRoute(state: GoogleState, { req, res }: RequestContext): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  const request = parseAuthRequest(state, form);
  const email = form.get('email')?.trim() || state.signedInUser;
  const result = state.oauth.approve(request, email, {
    deny: form.get('decision') !== 'allow',
    grantedScopes: form.has('grant_scope') ? form.getAll('grant_scope') : undefined,
  });
  redirect(res, result.redirectUrl);
}

function basicAuth(ctx: RequestContext): [string, string] | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(headerValue(ctx.req, 'authorization') ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return [
    decodeURIComponent(decoded.slice(0, colon)),
    decodeURIComponent(decoded.slice(colon + 1)),
  ];
}

async function tokenRoute(state: GoogleState, ctx: RequestContext): Promise<void> {
  state.stats.tokenRequests += 1;
  try {
    const { grant, body } = state.oauth.exchange(
      await readPayload(ctx.req),
      state.endpoints.token,
      basicAuth(ctx),
    );
    if (grant === 'authorization_code') state.stats.authorizationCodeGrants += 1;
    else if (grant === 'refresh_token') state.stats.refreshTokenGrants += 1;
    else state.stats.jwtBearerGrants += 1;
    sendJson(ctx.res, 200, body, {
      'cache-control': 'no-cache, no-store, max-age=0, must-revalidate',
      pragma: 'no-cache',
    });
  } catch (error) {
    state.stats.tokenErrors += 1;
    throw error;
  }
}

async function revokeRoute(state: GoogleState, ctx: RequestContext): Promise<void> {
  const body = await readPayload(ctx.req);
  const token =
    ctx.url.searchParams.get('token') ??
    (isObject(body) && typeof body.token === 'string' ? body.token : undefined);
  if (token === undefined || !state.oauth.revokeGrant(token)) {
    throw oauthError(400, 'invalid_token', 'Token expired or revoked');
  }
  sendJson(ctx.res, 200, {});
}

function userClaims(email: string, scopes: string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: subjectOf(email) };
  if (scopes.includes(PROFILE_SCOPE)) {
    const name = email.split('@')[0];
    Object.assign(claims, {
      name,
      given_name: name,
      picture: 'https://lh3.googleusercontent.com/a/default-user',
    });
  }
  if (scopes.includes(EMAIL_SCOPE)) Object.assign(claims, { email, email_verified: true });
  return claims;
}

async function tokenInfoRoute(state: GoogleState, ctx: RequestContext): Promise<void> {
  const body = await readPayload(ctx.req);
  // google-auth-library's getTokenInfo() sends the token as a bearer header, not a parameter.
  const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? '')?.[1];
  const token =
    ctx.url.searchParams.get('access_token') ??
    (isObject(body) && typeof body.access_token === 'string' ? body.access_token : undefined) ??
    bearer;
  const { record } = state.oauth.lookup(token);
  if (!record) throw oauthError(400, 'invalid_token', 'Invalid Value');
  const nowSec = Math.floor(state.clock.now() / 1000);
  const expSec = Math.floor(record.expiresAt / 1000);
  const party = record.clientId ?? subjectOf(record.email);
  const info: Record<string, unknown> = {
    azp: party,
    aud: party,
    sub: subjectOf(record.email),
    scope: record.scopes.join(' '),
    exp: String(expSec),
    expires_in: String(Math.max(0, expSec - nowSec)),
  };
  if (record.scopes.includes(EMAIL_SCOPE))
    Object.assign(info, { email: record.email, email_verified: 'true' });
  info.access_type = record.offline ? 'offline' : 'online';
  sendJson(ctx.res, 200, info);
}

function bearerRecord(state: GoogleState, ctx: RequestContext) {
  const token =
    /^Bearer\s+(\S+)$/i.exec(headerValue(ctx.req, 'authorization') ?? '')?.[1] ??
    ctx.url.searchParams.get('access_token') ??
    undefined;
  return state.oauth.lookup(token).record;
}

export function buildOAuthRoutes(state: GoogleState): Route[] {
  const authorize = (ctx: RequestContext): void => authorizeRoute(state, ctx);
  const token = (ctx: RequestContext): Promise<void> => tokenRoute(state, ctx);
  const revoke = (ctx: RequestContext): Promise<void> => revokeRoute(state, ctx);
  const tokenInfo = (ctx: RequestContext): Promise<void> => tokenInfoRoute(state, ctx);
  const userInfoV3 = (ctx: RequestContext): void => {
    const record = bearerRecord(state, ctx);
    if (!record) {
      throw new HttpError(
        401,
        { error: 'invalid_request', error_description: 'Invalid Credentials' },
        {
          'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
        },
      );
    }
    sendJson(ctx.res, 200, userClaims(record.email, record.scopes));
  };
  const userInfoV2 = (ctx: RequestContext): void => {
    const record = bearerRecord(state, ctx);
    if (!record) {
      throw googleError(
        401,
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      );
    }
    const {
      sub,
      email,
      email_verified: verified,
      ...rest
    } = userClaims(record.email, record.scopes);
    sendJson(ctx.res, 200, {
      id: sub,
      ...(email ? { email, verified_email: verified } : {}),
      ...rest,
    });
  };
  return [
    route('GET', '/o/oauth2/v2/auth', 'oauth', authorize),
    route('GET', '/o/oauth2/auth', 'oauth', authorize),
    route('POST', '/o/oauth2/v2/auth/approve', 'oauth', (ctx) => approveRoute(state, ctx)),
    route('POST', '/token', 'oauth', token),
    route('POST', '/o/oauth2/token', 'oauth', token),
    route('POST', '/oauth2/v4/token', 'oauth', token),
    route('POST', '/revoke', 'oauth', revoke),
    route('GET', '/revoke', 'oauth', revoke),
    route('POST', '/o/oauth2/revoke', 'oauth', revoke),
    route('GET', '/tokeninfo', 'oauth', tokenInfo),
    route('POST', '/tokeninfo', 'oauth', tokenInfo),
    route('GET', '/oauth2/v3/tokeninfo', 'oauth', tokenInfo),
    route('GET', '/oauth2/v3/userinfo', 'oauth', userInfoV3),
    route('GET', '/v1/userinfo', 'oauth', userInfoV3),
    route('GET', '/oauth2/v2/userinfo', 'oauth', userInfoV2),
    route('GET', '/oauth2/v3/certs', 'oauth', (ctx) => sendJson(ctx.res, 200, state.oauth.jwks())),
  ];
}
