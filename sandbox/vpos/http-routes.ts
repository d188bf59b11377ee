/**
 * HTTP surface of the emulator: the merchant API (/v1, bearer auth), the hosted checkout pages, the
 * unauthenticated /_emulator controls and the sessions page for people (/_emulator/ui).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PAGES_PATH, sendPage } from '../common/html-page';
import { renderCheckoutPage, renderMessagePage, renderResultPage } from './checkout-page';
import type { EmulatorState } from './emulator-state';
import type { SendRawOptions, SetStatusResult, WebhookControl } from './emulator-types';
import { header, readBody, readJson, redirect, sendHtml, sendJson } from './http-io';
import { renderLandingPage, renderSessionsPage } from './session-pages';
import { EmulatorError, isPlainObject, type PaymentStatus } from './session-model';

type Area = 'public' | 'merchant' | 'control' | 'checkout';
type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: string[],
) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  area: Area;
  handler: Handler;
}

const CAPABILITIES = {
  providers: [
    {
      id: 'manual',
      capabilities: {
        payLink: true,
        qr: false,
        refund: true,
        fiscalization: false,
        tokenization: false,
      },
    },
  ],
};

const CHECKOUT_ACTIONS: Readonly<Record<string, PaymentStatus>> = {
  pay: 'paid',
  fail: 'failed',
  cancel: 'cancelled',
};

function route(method: string, path: string, area: Area, handler: Handler): Route {
  const pattern = new RegExp(`^${path.replace(/:[a-zA-Z]+/g, '([^/]+)')}$`);
  return { method, pattern, area, handler };
}

/** A handler that reads an optional JSON body and answers JSON with what `produce` returns. */
function json(status: number, produce: (body: unknown, params: string[]) => unknown): Handler {
  return async (req, res, params) => {
    const body = await readJson(req);
    sendJson(res, status, produce(body ?? {}, params));
  };
}

function guardMerchant(state: EmulatorState, req: IncomingMessage, res: ServerResponse): void {
  const wait = state.rateLimitWait();
  if (wait > 0) {
    res.setHeader('retry-after', String(wait));
    throw new EmulatorError(429, 'rate_limited', 'too many requests');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header(req, 'authorization') ?? '');
  if (!match || !state.tokenMatches(match[1])) {
    throw new EmulatorError(401, 'unauthorized', 'missing or invalid bearer token');
  }
}

async function createSessionRoute(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const key = header(req, 'idempotency-key')?.trim();
  if (!key) {
    throw new EmulatorError(400, 'idempotency_key_required', 'Idempotency-Key header required');
  }
  if (key.length > 255) {
    throw new EmulatorError(400, 'idempotency_key_invalid', 'Idempotency-Key is too long');
  }
  const { session, replayed } = state.createIdempotent(key, await readJson(req));
  if (replayed) sendJson(res, 200, session, { 'idempotent-replayed': 'true' });
  else sendJson(res, 201, session, { location: `/v1/payment-sessions/${session.id}` });
}

function lookupSessionRoute(state: EmulatorState, res: ServerResponse, id: string): void {
  const fault = state.takeLookupFault();
  if (fault > 0) {
    const code = fault === 429 ? 'rate_limited' : 'emulated_fault';
    throw new EmulatorError(fault, code, `emulated lookup failure (${fault})`);
  }
  sendJson(res, 200, state.readSession(id));
}

async function checkoutActionRoute(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  action: string,
): Promise<void> {
  await readBody(req);
  const target = CHECKOUT_ACTIONS[action];
  if (target === undefined) throw new EmulatorError(404, 'not_found', `unknown action ${action}`);
  const session = state.checkoutAction(id, target);
  if (!session) {
    sendHtml(res, 409, renderResultPage(state.readSession(id)));
    return;
  }
  if (session.returnUrl === null) {
    redirect(res, `/checkout/${encodeURIComponent(id)}/result`);
    return;
  }
  const location = new URL(session.returnUrl);
  location.searchParams.set('sessionId', session.id);
  location.searchParams.set('status', session.status);
  redirect(res, location.toString());
}

function statusControl(state: EmulatorState, id: string, body: unknown): SetStatusResult {
  const spec = isPlainObject(body) ? body : {};
  const refunded = spec.refundedAmountMinor;
  if (refunded !== undefined && typeof refunded !== 'number') {
    const field = 'refundedAmountMinor';
    throw new EmulatorError(422, 'validation_error', `${field} must be a number`, field);
  }
  const webhook: WebhookControl = {};
  if (isPlainObject(spec.webhook)) {
    const { suppress, duplicates, hold } = spec.webhook;
    webhook.suppress = suppress === true;
    webhook.hold = hold === true;
    if (duplicates !== undefined) webhook.duplicates = duplicates as number;
  }
  return state.setStatus(id, spec.status as PaymentStatus, {
    refundedAmountMinor: refunded,
    webhook,
  });
}

/** Reads `{ body, headers?, sign?, secret?, timestamp?, webhookId? }` of /_emulator/webhooks/raw. */
function rawSpec(input: unknown): [unknown, SendRawOptions] {
  const spec = isPlainObject(input) ? input : {};
  const options: SendRawOptions = {};
  if (isPlainObject(spec.headers)) {
    const headers: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(spec.headers)) {
      if (typeof value === 'string' || value === null) headers[name] = value;
    }
    options.headers = headers;
  }
  if (typeof spec.sign === 'boolean') options.sign = spec.sign;
  if (typeof spec.secret === 'string') options.secret = spec.secret;
  if (typeof spec.timestamp === 'number') options.timestamp = spec.timestamp;
  if (typeof spec.webhookId === 'string') options.webhookId = spec.webhookId;
  return [spec.body, options];
}

function buildRoutes(state: EmulatorState): Route[] {
  return [
    route('GET', '/api/health', 'public', (_req, res) => sendJson(res, 200, { status: 'ok' })),
    route('GET', '/', 'public', (_req, res) => sendPage(res, 200, renderLandingPage())),
    route('GET', PAGES_PATH, 'public', (_req, res) =>
      sendPage(res, 200, renderSessionsPage(state)),
    ),
    route('GET', '/v1/capabilities', 'merchant', (_req, res) => sendJson(res, 200, CAPABILITIES)),
    route('POST', '/v1/payment-sessions', 'merchant', (req, res) =>
      createSessionRoute(state, req, res),
    ),
    route('GET', '/v1/payment-sessions/:id', 'merchant', (_req, res, [id]) =>
      lookupSessionRoute(state, res, id),
    ),
    route('GET', '/checkout/:id', 'checkout', (_req, res, [id]) =>
      sendHtml(res, 200, renderCheckoutPage(state.openCheckout(id))),
    ),
    route('GET', '/checkout/:id/result', 'checkout', (_req, res, [id]) =>
      sendHtml(res, 200, renderResultPage(state.readSession(id))),
    ),
    route('POST', '/checkout/:id/:action', 'checkout', (req, res, [id, action]) =>
      checkoutActionRoute(state, req, res, id, action),
    ),
    route(
      'GET',
      '/_emulator/sessions',
      'control',
      json(200, () => state.listSessions()),
    ),
    route(
      'POST',
      '/_emulator/sessions',
      'control',
      json(201, (b) => state.createSession(b)),
    ),
    route('GET', '/_emulator/sessions/:id', 'control', (_req, res, [id]) =>
      sendJson(res, 200, state.readSession(id)),
    ),
    route(
      'POST',
      '/_emulator/sessions/:id/status',
      'control',
      json(200, (b, [id]) => statusControl(state, id, b)),
    ),
    route(
      'GET',
      '/_emulator/events',
      'control',
      json(200, () => state.listEvents()),
    ),
    route(
      'GET',
      '/_emulator/deliveries',
      'control',
      json(200, () => state.deliveryLog()),
    ),
    route('POST', '/_emulator/webhooks/flush', 'control', async (req, res) => {
      const body = await readJson(req);
      const order = isPlainObject(body) && body.order === 'reverse' ? 'reverse' : 'fifo';
      sendJson(res, 200, { flushed: await state.flushHeld({ order }) });
    }),
    route('POST', '/_emulator/webhooks/raw', 'control', async (req, res) => {
      sendJson(res, 200, await state.sendRaw(...rawSpec(await readJson(req))));
    }),
    route('POST', '/_emulator/webhooks/:eventId/resend', 'control', async (_req, res, [id]) => {
      sendJson(res, 200, { delivery: await state.sendEvent(id) });
    }),
    route(
      'POST',
      '/_emulator/faults',
      'control',
      json(200, (b) => {
        const spec = isPlainObject(b) ? b : {};
        state.failLookups((spec.lookupFailures ?? 0) as number, (spec.status ?? 503) as number);
        return state.lookupFaultState();
      }),
    ),
    route(
      'POST',
      '/_emulator/webhook-url',
      'control',
      json(200, (b) => {
        state.setWebhookUrl(isPlainObject(b) && typeof b.url === 'string' ? b.url : undefined);
        return { webhookUrl: state.getWebhookUrl() ?? null };
      }),
    ),
    route('POST', '/_emulator/reset', 'control', (_req, res) => {
      state.reset();
      sendJson(res, 200, { reset: true });
    }),
  ];
}

function sendError(res: ServerResponse, area: Area, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const failure =
    error instanceof EmulatorError
      ? error
      : error instanceof URIError
        ? new EmulatorError(400, 'invalid_request', 'malformed percent-encoding in the path')
        : new EmulatorError(
            500,
            'internal_error',
            error instanceof Error ? error.message : 'error',
          );
  if (area === 'checkout') {
    const title = failure.status === 404 ? 'Payment session not found' : 'Checkout error';
    sendHtml(res, failure.status, renderMessagePage(title, failure.message));
    return;
  }
  const headers: Record<string, string> = {};
  if (failure.status === 401) headers['www-authenticate'] = 'Bearer';
  if (failure.status === 429 && !res.hasHeader('retry-after')) headers['retry-after'] = '1';
  sendJson(res, failure.status, failure.toBody(), headers);
}

/** Builds the node:http request listener for an emulator state. */
export function createRequestListener(
  state: EmulatorState,
): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = buildRoutes(state);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/(.)\/+$/, '$1');
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const matching = routes
      .map((r) => ({ route: r, match: r.pattern.exec(path) }))
      .filter((m) => m.match !== null);
    const found = matching.find((m) => m.route.method === method);
    const area = found?.route.area ?? matching[0]?.route.area ?? 'public';
    try {
      if (!found) {
        if (matching.length > 0) {
          throw new EmulatorError(405, 'method_not_allowed', `${method} not allowed on ${path}`);
        }
        throw new EmulatorError(404, 'not_found', `no route for ${method} ${path}`);
      }
      if (area === 'merchant') guardMerchant(state, req, res);
      const params = (found.match ?? []).slice(1).map((p) => decodeURIComponent(p));
      await found.route.handler(req, res, params);
    } catch (error) {
      sendError(res, area, error);
    }
  };
  return (req, res) => void handle(req, res);
}
