/**
 * The portal's `/oauth/authorize/` (consent page or immediate 302) and the auth server's
 * `/oauth/token/` (GET or POST; authorization_code and refresh_token grants).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorState } from './emulator-state';
import { BodyError, escapeHtml, readParams, redirect, sendHtml, sendJson } from './http-io';
import { OAuthError } from './oauth-store';
import type { Params } from './php-values';
import type { Portal } from './portal-model';

function errorPage(res: ServerResponse, status: number, message: string): void {
  sendHtml(
    res,
    status,
    `<!doctype html><html><head><title>Bitrix24 emulator: authorization error</title></head>` +
      `<body><h1>Authorization error</h1><p>${escapeHtml(message)}</p></body></html>`,
  );
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** The redirect URI to use, or an error message. Bitrix24 takes it from the app settings. */
function redirectTarget(state: EmulatorState, requested: string): string | { error: string } {
  const configured = state.settings.redirectUri;
  if (requested === '') return configured ?? { error: 'The application has no redirect URI.' };
  let url: URL;
  try {
    url = new URL(requested);
  } catch {
    return { error: 'redirect_uri is not a valid URL.' };
  }
  if (configured !== undefined) {
    const allowed = new URL(configured);
    if (url.origin !== allowed.origin || url.pathname !== allowed.pathname) {
      return { error: 'redirect_uri does not match the application settings.' };
    }
  }
  return requested;
}

export async function handleAuthorize(
  state: EmulatorState,
  portal: Portal,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let params: Params;
  try {
    params = await readParams(req, url);
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    errorPage(res, 400, error.message);
    return;
  }
  const clientId = str(params.client_id);
  if (clientId !== state.settings.clientId) {
    errorPage(res, 400, `Application "${clientId}" is not installed on this portal.`);
    return;
  }
  const target = redirectTarget(state, str(params.redirect_uri));
  if (typeof target !== 'string') {
    errorPage(res, 400, target.error);
    return;
  }
  const approved = state.autoApprove || (req.method === 'POST' && str(params.approve) === 'Y');
  if (approved) {
    const result = state.authorize({
      portal: portal.name,
      state: str(params.state),
      redirectUri: target,
    });
    redirect(res, result.redirectUrl ?? target);
    return;
  }
  const hidden = (name: string, value: string): string =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const action = `${state.portalBaseUrl(portal)}/oauth/authorize/`;
  sendHtml(
    res,
    200,
    `<!doctype html><html><head><title>Bitrix24 emulator: allow access</title></head><body>` +
      `<h1>${escapeHtml(state.portalDomain(portal))}</h1>` +
      `<p>The application <b>${escapeHtml(clientId)}</b> asks for access: ` +
      `${escapeHtml(state.settings.scope.join(', '))}.</p>` +
      `<form method="post" action="${escapeHtml(action)}">` +
      hidden('client_id', clientId) +
      hidden('state', str(params.state)) +
      hidden('redirect_uri', str(params.redirect_uri)) +
      hidden('approve', 'Y') +
      `<button type="submit" id="allow">Allow</button></form></body></html>`,
  );
}

export async function handleToken(
  state: EmulatorState,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    let params: Params;
    try {
      params = await readParams(req, url);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      throw new OAuthError(400, 'invalid_request', error.message);
    }
    const grant = str(params.grant_type);
    if (grant === '') {
      throw new OAuthError(
        400,
        'invalid_request',
        'The grant type was not specified in the request',
      );
    }
    if (grant !== 'authorization_code' && grant !== 'refresh_token') {
      throw new OAuthError(400, 'invalid_request', `Grant type "${grant}" not supported`);
    }
    const clientId = str(params.client_id);
    if (
      clientId !== state.settings.clientId ||
      str(params.client_secret) !== state.settings.clientSecret
    ) {
      throw new OAuthError(401, 'invalid_client', 'The client credentials are invalid');
    }
    const now = state.now();
    let access;
    if (grant === 'authorization_code') {
      const code = str(params.code);
      if (code === '')
        throw new OAuthError(400, 'invalid_request', 'Missing parameter: "code" is required');
      access = state.oauth.exchangeCode(code, clientId, state.settings.scope, now);
    } else {
      const token = str(params.refresh_token);
      if (token === '') {
        throw new OAuthError(
          400,
          'invalid_request',
          'Missing parameter: "refresh_token" is required',
        );
      }
      access = state.oauth.rotate(token, clientId, now);
    }
    sendJson(res, 200, state.tokenResponse(access));
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    state.oauth.counters.errors += 1;
    sendJson(res, error.status, { error: error.code, error_description: error.description });
  }
}
