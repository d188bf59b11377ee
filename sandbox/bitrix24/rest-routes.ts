/**
 * `/rest/<method>[.json]` with `auth=<access token>` and `/rest/<user>/<code>/<method>` webhooks:
 * bucket, authentication, then the method; every answer in the A7 envelope.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timeEnvelope } from './bitrix-time';
import type { EmulatorState } from './emulator-state';
import { BodyError, readParams, sendJson } from './http-io';
import type { CallContext } from './method-types';
import type { Params } from './php-values';
import type { Portal } from './portal-model';
import {
  expiredToken,
  invalidToken,
  methodNotFound,
  noAuthFound,
  queryLimitExceeded,
  RestError,
  validationError,
} from './rest-errors';

function authenticate(
  state: EmulatorState,
  portal: Portal,
  params: Params,
  webhook: { userId: string; code: string } | undefined,
  now: number,
): CallContext {
  const app = { clientId: state.settings.clientId, status: state.settings.appStatus };
  if (webhook) {
    const hook = portal.webhooks.get(webhook.code);
    if (!hook || String(hook.userId) !== webhook.userId) throw noAuthFound();
    if (hook.expiresAt !== undefined && hook.expiresAt <= now) throw noAuthFound();
    return { portal, userId: hook.userId, authType: 'webhook', scope: hook.scope, app, now };
  }
  const auth = params.auth;
  delete params.auth;
  if (typeof auth !== 'string' || auth === '') throw noAuthFound();
  const unknown = (): RestError =>
    state.settings.unknownTokenError === 'invalid_token' ? invalidToken() : noAuthFound();
  const found = state.oauth.lookupAccess(auth, now);
  if (found.kind === 'unknown' || found.token.portal !== portal.name) throw unknown();
  if (found.kind === 'expired') throw expiredToken();
  return {
    portal,
    userId: found.token.userId,
    authType: 'oauth',
    scope: found.token.scope,
    app,
    now,
  };
}

export async function handleRest(
  state: EmulatorState,
  portal: Portal,
  restPath: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = state.now();
  const reply = (status: number, body: Params): void => {
    sendJson(res, status, body);
  };
  let params: Params;
  try {
    params = await readParams(req, url);
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    reply(400, validationError(error.message).body());
    return;
  }
  const segments = restPath.split('/').filter((s) => s !== '');
  const rawMethod = segments.length === 1 ? segments[0] : segments.length === 3 ? segments[2] : '';
  const webhook = segments.length === 3 ? { userId: segments[0], code: segments[1] } : undefined;
  let decoded = '';
  try {
    decoded = decodeURIComponent(rawMethod);
  } catch {
    // a malformed %-escape is an unknown method
  }
  const method = decoded.toLowerCase().replace(/\.(json|xml)$/, '');

  portal.counters.requests += 1;
  if (!portal.bucket.take(started)) {
    portal.counters.rejectedByBucket += 1;
    const limited = queryLimitExceeded();
    reply(limited.status, limited.body());
    return;
  }
  try {
    if (method === '') throw methodNotFound();
    let ctx: CallContext;
    try {
      ctx = authenticate(state, portal, params, webhook, started);
    } catch (error) {
      portal.counters.authFailures += 1;
      throw error;
    }
    const out = state.invoke(method, params, ctx);
    const body: Params = { result: out.result };
    if (out.next !== undefined) body.next = out.next;
    if (out.total !== undefined) body.total = out.total;
    body.time = timeEnvelope(started, state.now());
    await state.beforeRespond?.({ method, portal: portal.name, params });
    reply(200, body);
  } catch (error) {
    if (error instanceof RestError) {
      reply(error.status, error.body());
      return;
    }
    reply(500, { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' });
  }
}
