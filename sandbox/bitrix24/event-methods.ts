/**
 * event.bind / event.unbind / event.get (app auth only) and the deal's contacts:
 * crm.deal.contact.items.get, crm.contact.get, crm.contact.add. Bindings and contacts live
 * beside the portal (a WeakMap), so the portal model stays as it is.
 */
import { formatDateTime } from './bitrix-time';
import { parseId } from './deal-methods';
import type { MethodTable } from './method-types';
import { isPlainObject, param, text, type Params } from './php-values';
import type { Portal } from './portal-model';
import { validationError } from './rest-errors';

export interface EventBinding {
  id: number;
  event: string;
  handler: string;
  authType: number;
}

export interface OutgoingWebhook {
  handler: string;
  events: string[];
  applicationToken: string;
}

export interface SentEvent {
  handler: string;
  body: string;
  status: number | 'error';
}

export interface PortalEvents {
  bindings: EventBinding[];
  outgoing: OutgoingWebhook[];
  sent: SentEvent[];
  contacts: Map<number, Params>;
  nextId: number;
}

const store = new WeakMap<Portal, PortalEvents>();

export function eventsOf(portal: Portal): PortalEvents {
  let events = store.get(portal);
  if (!events) {
    events = { bindings: [], outgoing: [], sent: [], contacts: new Map(), nextId: 1 };
    store.set(portal, events);
  }
  return events;
}

function eventName(params: Params): string {
  const event = text(param(params, 'event')).trim().toUpperCase();
  if (!event) throw validationError('Event name is empty');
  return event;
}

function handlerUrl(params: Params): string {
  const handler = text(param(params, 'handler')).trim();
  if (!/^https?:\/\/\S+$/.test(handler)) throw validationError('Handler is not a valid URL');
  return handler;
}

export function addContact(portal: Portal, fields: Params, now: number): Params {
  const events = eventsOf(portal);
  const id = events.nextId++;
  const phones = Array.isArray(fields.PHONE) ? fields.PHONE : [];
  const contact: Params = {
    ID: String(id),
    NAME: text(fields.NAME) || null,
    LAST_NAME: text(fields.LAST_NAME) || null,
    HAS_PHONE: phones.length ? 'Y' : 'N',
    DATE_CREATE: formatDateTime(now),
    PHONE: phones.filter(isPlainObject).map((p, i) => ({
      ID: String(id * 100 + i),
      VALUE_TYPE: text(p.VALUE_TYPE) || 'WORK',
      VALUE: text(p.VALUE),
      TYPE_ID: 'PHONE',
    })),
  };
  events.contacts.set(id, contact);
  return contact;
}

export const eventMethods: MethodTable = {
  'event.bind': {
    appOnly: true,
    run(params, ctx) {
      const event = eventName(params);
      const handler = handlerUrl(params);
      const events = eventsOf(ctx.portal);
      if (events.bindings.some((b) => b.event === event && b.handler === handler)) {
        throw validationError('Handler already binded');
      }
      const authType = Number(text(param(params, 'auth_type')) || 0);
      events.bindings.push({ id: events.nextId++, event, handler, authType });
      return { result: true };
    },
  },
  'event.unbind': {
    appOnly: true,
    run(params, ctx) {
      const event = eventName(params);
      const handler = text(param(params, 'handler')).trim();
      const events = eventsOf(ctx.portal);
      const before = events.bindings.length;
      events.bindings = events.bindings.filter(
        (b) => !(b.event === event && (handler === '' || b.handler === handler)),
      );
      return { result: { count: before - events.bindings.length } };
    },
  },
  'event.get': {
    appOnly: true,
    run(_params, ctx) {
      return {
        result: eventsOf(ctx.portal).bindings.map((b) => ({
          event: b.event,
          handler: b.handler,
          auth_type: String(b.authType),
          offline: 0,
        })),
      };
    },
  },
  'crm.deal.contact.items.get': {
    scope: 'crm',
    run(params, ctx) {
      const deal = ctx.portal.deals.get(parseId(params));
      if (!deal) throw validationError('Not found');
      const ids = Array.isArray(deal.CONTACT_IDS) ? deal.CONTACT_IDS : [];
      return {
        result: ids.map((id, i) => ({
          CONTACT_ID: Number(id),
          SORT: (i + 1) * 10,
          ROLE_ID: 0,
          IS_PRIMARY: i === 0 ? 'Y' : 'N',
        })),
      };
    },
  },
  'crm.contact.get': {
    scope: 'crm',
    run(params, ctx) {
      const contact = eventsOf(ctx.portal).contacts.get(parseId(params));
      if (!contact) throw validationError('Not found');
      return { result: { ...contact } };
    },
  },
  'crm.contact.add': {
    scope: 'crm',
    run(params, ctx) {
      const fields = param(params, 'fields');
      if (!isPlainObject(fields)) throw validationError("Parameter 'fields' must be array.");
      return { result: Number(addContact(ctx.portal, fields, ctx.now).ID) };
    },
  },
};
