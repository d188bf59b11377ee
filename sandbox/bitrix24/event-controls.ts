/**
 * The sending side of the emulator: deal events POSTed form-encoded (as Bitrix24's queue
 * server does, once, no retry) to `event.bind` handlers and to the portal's outgoing webhook,
 * each with its `application_token`; and controls to move a deal as a person would.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PAGES_PATH } from '../common/html-page';
import { EmulatorControls } from './emulator-controls';
import type { Bitrix24EmulatorOptions } from './emulator-types';
import { addContact, eventMethods, eventsOf, type PortalEvents } from './event-methods';
import { readBody, redirect, sendJson } from './http-io';
import type { CallContext, MethodResult } from './method-types';
import { isPlainObject, parsePhpQuery, text, type Params } from './php-values';
import type { Portal } from './portal-model';
import type { PortalScoped } from './emulator-types';
import { RestError } from './rest-errors';

const DEAL_EVENTS: Record<string, string> = {
  'crm.deal.update': 'ONCRMDEALUPDATE',
  'crm.deal.add': 'ONCRMDEALADD',
};

export interface DealEventControls {
  /** The app's application_token on this portal (sent with every bound event). */
  applicationToken(options?: PortalScoped): string;
  /** Sets the portal's outgoing webhook; returns its application_token. */
  setOutgoingWebhook(
    hook: { handler: string; events?: string[]; applicationToken?: string },
    options?: PortalScoped,
  ): { applicationToken: string };
  createContact(contact: { name?: string; phone?: string }, options?: PortalScoped): number;
  /** Moves a deal to a stage as a person in the portal would (events follow). */
  moveDeal(id: number, stageId: string, options?: PortalScoped & { userId?: number }): void;
  eventLog(options?: PortalScoped): Omit<PortalEvents, 'contacts' | 'nextId'>;
  /** Resolves once every event sent so far has been answered. */
  eventsSettled(): Promise<void>;
}

export class EventEmittingControls extends EmulatorControls implements DealEventControls {
  private readonly appTokens = new WeakMap<Portal, string>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: Bitrix24EmulatorOptions) {
    super(options);
    Object.assign(this.methods, eventMethods);
    this.afterCall = (method, params, ctx, out) => this.emit(method, params, ctx, out);
  }

  applicationToken(options: PortalScoped = {}): string {
    const portal = this.getPortal(options.portal);
    let token = this.appTokens.get(portal);
    if (!token) this.appTokens.set(portal, (token = randomBytes(16).toString('hex')));
    return token;
  }

  setOutgoingWebhook(
    hook: { handler: string; events?: string[]; applicationToken?: string },
    options: PortalScoped = {},
  ): { applicationToken: string } {
    if (!/^https?:\/\/\S+$/.test(hook.handler)) throw new Error('handler must be a URL');
    const applicationToken = hook.applicationToken ?? randomBytes(16).toString('hex');
    eventsOf(this.getPortal(options.portal)).outgoing = [
      {
        handler: hook.handler,
        events: (hook.events ?? ['ONCRMDEALUPDATE']).map((e) => e.toUpperCase()),
        applicationToken,
      },
    ];
    return { applicationToken };
  }

  createContact(contact: { name?: string; phone?: string }, options: PortalScoped = {}): number {
    const fields: Params = { NAME: contact.name ?? 'Customer' };
    if (contact.phone) fields.PHONE = [{ VALUE: contact.phone, VALUE_TYPE: 'MOBILE' }];
    return Number(addContact(this.getPortal(options.portal), fields, this.now()).ID);
  }

  moveDeal(id: number, stageId: string, options: PortalScoped & { userId?: number } = {}): void {
    const portal = this.getPortal(options.portal);
    const ctx: CallContext = {
      portal,
      userId: options.userId ?? portal.users[0].id,
      authType: 'webhook',
      scope: ['crm'],
      app: { clientId: this.settings.clientId, status: this.settings.appStatus },
      now: this.now(),
    };
    const params = { id, fields: { STAGE_ID: stageId } };
    try {
      const out = this.methods['crm.deal.update'].run(params, ctx);
      this.emit('crm.deal.update', params, ctx, out);
    } catch (error) {
      if (error instanceof RestError) throw new Error(error.description);
      throw error;
    }
  }

  eventLog(options: PortalScoped = {}): Omit<PortalEvents, 'contacts' | 'nextId'> {
    const { bindings, outgoing, sent } = eventsOf(this.getPortal(options.portal));
    return { bindings: [...bindings], outgoing: [...outgoing], sent: [...sent] };
  }

  async eventsSettled(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private emit(method: string, params: Params, ctx: CallContext, out: MethodResult): void {
    const event = DEAL_EVENTS[method];
    if (!event) return;
    const id = method === 'crm.deal.add' ? out.result : params.id;
    const portal = ctx.portal;
    const common = {
      event,
      'data[FIELDS][ID]': String(id),
      ts: String(Math.floor(this.now() / 1000)),
      'auth[domain]': this.portalDomain(portal),
      'auth[client_endpoint]': `${this.portalBaseUrl(portal)}/rest/`,
      'auth[server_endpoint]': `${this.publicUrl}/rest/`,
      'auth[member_id]': portal.memberId,
    };
    const events = eventsOf(portal);
    for (const b of events.bindings.filter((x) => x.event === event)) {
      const access = this.issueTokens({ portal: portal.name });
      this.send(events, b.handler, {
        ...common,
        event_handler_id: String(b.id),
        'auth[access_token]': access.access_token,
        'auth[expires_in]': String(access.expires_in),
        'auth[scope]': access.scope,
        'auth[status]': access.status,
        'auth[refresh_token]': access.refresh_token,
        'auth[application_token]': this.applicationToken({ portal: portal.name }),
      });
    }
    for (const hook of events.outgoing.filter((h) => h.events.includes(event))) {
      this.send(events, hook.handler, {
        ...common,
        'auth[application_token]': hook.applicationToken,
      });
    }
  }

  private send(events: PortalEvents, handler: string, fields: Record<string, string>): void {
    const body = new URLSearchParams(fields).toString();
    const done = fetch(handler, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })
      .then((res) => {
        events.sent.push({ handler, body, status: res.status });
      })
      .catch(() => {
        events.sent.push({ handler, body, status: 'error' });
      })
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }
}

const MOVE = /^\/_emulator\/portals\/([a-z0-9-]+)\/deals\/(\d+)\/move$/;
const UI_MOVE = new RegExp(`^${PAGES_PATH}/portals/([a-z0-9-]+)/deals/(\\d+)/move$`);
const CONTACTS = /^\/_emulator\/portals\/([a-z0-9-]+)\/contacts$/;
const OUTGOING = /^\/_emulator\/portals\/([a-z0-9-]+)\/outgoing-webhook$/;
const EVENTS = /^\/_emulator\/portals\/([a-z0-9-]+)\/events$/;

/** The event controls over HTTP and the page's "move" button; false when not one of them. */
export async function handleEventRoute(
  state: EventEmittingControls,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const routes = [MOVE, UI_MOVE, CONTACTS, OUTGOING, EVENTS];
  const match = routes.map((r) => r.exec(path)).find((m) => m);
  if (!match) return false;
  const raw = method === 'GET' ? '' : await readBody(req);
  let body: Params = {};
  try {
    if (UI_MOVE.test(path)) body = parsePhpQuery(raw);
    else if (raw.trim()) body = JSON.parse(raw) as Params;
  } catch {
    sendJson(res, 400, { error: 'body is not valid JSON' });
    return true;
  }
  if (!isPlainObject(body)) body = {};
  const portal = match[1];
  try {
    if (UI_MOVE.test(path) && method === 'POST') {
      state.moveDeal(Number(match[2]), text(body.stageId), { portal });
      redirect(res, `${PAGES_PATH}/portals/${portal}/deals/${match[2]}`, 303);
    } else if (MOVE.test(path) && method === 'POST') {
      state.moveDeal(Number(match[2]), text(body.stageId), { portal });
      sendJson(res, 200, state.getDeal(Number(match[2]), { portal }) ?? null);
    } else if (CONTACTS.test(path) && method === 'POST') {
      const id = state.createContact(
        { name: text(body.name), phone: text(body.phone) },
        { portal },
      );
      sendJson(res, 200, { id });
    } else if (OUTGOING.test(path) && method === 'PUT') {
      const events = Array.isArray(body.events) ? body.events.map((e) => text(e)) : undefined;
      const token = text(body.applicationToken) || undefined;
      sendJson(
        res,
        200,
        state.setOutgoingWebhook(
          { handler: text(body.handler), events, applicationToken: token },
          { portal },
        ),
      );
    } else if (EVENTS.test(path) && method === 'GET') {
      sendJson(res, 200, state.eventLog({ portal }));
    } else sendJson(res, 405, { error: 'method not allowed' });
  } catch (error) {
    sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
  }
  return true;
}
