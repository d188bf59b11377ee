/**
 * The sending side: `GET|POST|DELETE /api/v4/webhooks` subscriptions, and each lead status
 * change POSTed form-encoded (`leads[status][0][id]`, `[status_id]`, `[pipeline_id]`,
 * `[old_status_id]`, `[old_pipeline_id]`, `account[subdomain]`, `account[id]`) to every
 * destination subscribed to `status_lead`; contacts of a lead (`?with=contacts`,
 * `GET /api/v4/contacts/{id}`); and a control (and page button) to move a lead as a person would.
 */
import type { AmoState } from './amocrm-state';
import { leadToApi } from './crm-query';
import { isObject, problem, readBody, readPayload, redirect, send, sendNoContent } from './http-io';
import type { AmoLead } from './amocrm-types';
import { PAGES_PATH } from '../common/html-page';
import { route, type Route } from './route-table';

export interface AmoWebhook {
  id: number;
  destination: string;
  settings: string[];
  sort: number;
  disabled: boolean;
  created_at: number;
  updated_at: number;
}

export interface AmoContact {
  id: number;
  name: string;
  phone: string | null;
}

interface LeadEvents {
  hooks: AmoWebhook[];
  sent: Array<{ destination: string; body: string; status: number | 'error' }>;
  contacts: Map<number, AmoContact>;
  leadContacts: Map<number, number[]>;
  inFlight: Set<Promise<void>>;
  nextId: number;
}

const stores = new WeakMap<AmoState, LeadEvents>();

export function leadEvents(state: AmoState): LeadEvents {
  let s = stores.get(state);
  if (!s) {
    s = {
      hooks: [],
      sent: [],
      contacts: new Map(),
      leadContacts: new Map(),
      inFlight: new Set(),
      nextId: 1,
    };
    stores.set(state, s);
  }
  return s;
}

/** Every lead update goes through `crm.updateLeads`: a changed status is sent from there. */
export function installLeadEvents(state: AmoState): void {
  const crm = state.crm;
  const update = crm.updateLeads.bind(crm);
  crm.updateLeads = (body, singleId) => {
    const before = new Map([...crm.leads.values()].map((l) => [l.id, l]));
    const saved = update(body, singleId);
    for (const { lead } of saved) {
      const old = before.get(lead.id);
      if (old && (old.status_id !== lead.status_id || old.pipeline_id !== lead.pipeline_id)) {
        sendStatus(state, lead, old);
      }
    }
    return saved;
  };
}

function sendStatus(state: AmoState, lead: AmoLead, old: AmoLead): void {
  const s = leadEvents(state);
  const account = state.crm.account;
  const fields: Record<string, string> = {
    'leads[status][0][id]': String(lead.id),
    'leads[status][0][name]': lead.name,
    'leads[status][0][status_id]': String(lead.status_id),
    'leads[status][0][pipeline_id]': String(lead.pipeline_id),
    'leads[status][0][old_status_id]': String(old.status_id),
    'leads[status][0][old_pipeline_id]': String(old.pipeline_id),
    'leads[status][0][price]': String(lead.price),
    'leads[status][0][responsible_user_id]': String(lead.responsible_user_id),
    'leads[status][0][last_modified]': String(lead.updated_at),
    'leads[status][0][modified_user_id]': String(lead.updated_by),
    'leads[status][0][account_id]': String(account.id),
    'account[subdomain]': account.subdomain,
    'account[id]': String(account.id),
    'account[_links][self]': state.url,
  };
  const body = new URLSearchParams(fields).toString();
  for (const hook of s.hooks.filter((h) => !h.disabled && h.settings.includes('status_lead'))) {
    const done = fetch(hook.destination, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })
      .then((res) => void s.sent.push({ destination: hook.destination, body, status: res.status }))
      .catch(() => void s.sent.push({ destination: hook.destination, body, status: 'error' }))
      .finally(() => s.inFlight.delete(done));
    s.inFlight.add(done);
  }
}

/** Moves a lead as a person would (the webhook follows). */
export function moveLead(state: AmoState, id: number, statusId: number, pipelineId?: number): void {
  const lead = state.crm.leads.get(id);
  if (!lead) throw new Error(`no lead ${id}`);
  state.crm.updateLeads({ status_id: statusId, pipeline_id: pipelineId ?? lead.pipeline_id }, id);
}

export function addContact(state: AmoState, name: string, phone: string | null, leadId?: number) {
  const s = leadEvents(state);
  const contact = { id: s.nextId++, name, phone };
  s.contacts.set(contact.id, contact);
  if (leadId !== undefined)
    s.leadContacts.set(leadId, [...(s.leadContacts.get(leadId) ?? []), contact.id]);
  return contact;
}

function hookToApi(state: AmoState, h: AmoWebhook): object {
  return { ...h, account_id: state.crm.account.id, created_by: state.crm.account.current_user_id };
}

function contactToApi(state: AmoState, c: AmoContact): object {
  return {
    id: c.id,
    name: c.name,
    account_id: state.crm.account.id,
    custom_fields_values: c.phone
      ? [
          {
            field_id: 1,
            field_name: 'Телефон',
            field_code: 'PHONE',
            field_type: 'multitext',
            values: [{ value: c.phone, enum_id: 1, enum_code: 'WORK' }],
          },
        ]
      : null,
    _links: { self: { href: `${state.url}/api/v4/contacts/${c.id}` } },
  };
}

export function buildLeadEventRoutes(state: AmoState): Route[] {
  const s = leadEvents(state);
  return [
    route('GET', '/api/v4/webhooks', 'api', ({ res }) => {
      if (s.hooks.length === 0) return sendNoContent(res);
      send(res, 200, {
        _total_items: s.hooks.length,
        _links: { self: { href: `${state.url}/api/v4/webhooks` } },
        _embedded: { webhooks: s.hooks.map((h) => hookToApi(state, h)) },
      });
    }),
    route('POST', '/api/v4/webhooks', 'api', async ({ req, res }) => {
      const body = await readPayload(req);
      const destination = isObject(body) ? body.destination : undefined;
      const settings = isObject(body) && Array.isArray(body.settings) ? body.settings : [];
      if (typeof destination !== 'string' || !/^https?:\/\/\S+$/.test(destination)) {
        throw problem(400, 'Bad Request', 'destination: must be a URL');
      }
      if (settings.length === 0 || settings.some((x) => typeof x !== 'string')) {
        throw problem(400, 'Bad Request', 'settings: must be a list of events');
      }
      const now = state.nowSec();
      const existing = s.hooks.find((h) => h.destination === destination);
      const hook: AmoWebhook = existing ?? {
        id: s.nextId++,
        destination,
        settings: [],
        sort: 1,
        disabled: false,
        created_at: now,
        updated_at: now,
      };
      Object.assign(hook, { settings: settings as string[], updated_at: now, disabled: false });
      if (!existing) s.hooks.push(hook);
      send(res, 201, hookToApi(state, hook));
    }),
    route('DELETE', '/api/v4/webhooks', 'api', async ({ req, res }) => {
      const body = await readPayload(req);
      const destination = isObject(body) ? body.destination : undefined;
      s.hooks = s.hooks.filter((h) => h.destination !== destination);
      sendNoContent(res);
    }),
    route('GET', '/api/v4/leads/:id', 'api', ({ res, url, params }) => {
      const lead = state.crm.leads.get(Number(params[0]));
      if (!lead) return sendNoContent(res);
      const withs = new Set((url.searchParams.get('with') ?? '').split(',').filter(Boolean));
      const api = leadToApi(lead, state.url, withs) as { _embedded: Record<string, unknown> };
      if (withs.has('contacts')) {
        api._embedded.contacts = (s.leadContacts.get(lead.id) ?? []).map((id, i) => ({
          id,
          is_main: i === 0,
          _links: { self: { href: `${state.url}/api/v4/contacts/${id}` } },
        }));
      }
      send(res, 200, api);
    }),
    route('GET', '/api/v4/contacts/:id', 'api', ({ res, params }) => {
      const contact = s.contacts.get(Number(params[0]));
      if (!contact) return sendNoContent(res);
      send(res, 200, contactToApi(state, contact));
    }),
    route(
      'POST',
      '/_emulator/leads/:id/move',
      'control',
      async ({ req, res, params }) => {
        const body = await readPayload(req);
        const b = isObject(body) ? body : {};
        moveLead(state, Number(params[0]), Number(b.status_id), num(b.pipeline_id));
        send(res, 200, state.getLead(Number(params[0])) ?? null, 'json');
      },
      false,
    ),
    route(
      'POST',
      '/_emulator/contacts',
      'control',
      async ({ req, res }) => {
        const body = await readPayload(req);
        const b = isObject(body) ? body : {};
        const contact = addContact(
          state,
          typeof b.name === 'string' ? b.name : 'Customer',
          typeof b.phone === 'string' ? b.phone : null,
          num(b.lead_id),
        );
        send(res, 200, contact, 'json');
      },
      false,
    ),
    route(
      'GET',
      '/_emulator/webhooks/sent',
      'control',
      ({ res }) => send(res, 200, s.sent, 'json'),
      false,
    ),
    route(
      'POST',
      `${PAGES_PATH}/leads/:id/move`,
      'control',
      async ({ req, res, params }) => {
        const form = new URLSearchParams(await readBody(req));
        moveLead(state, Number(params[0]), Number(form.get('status_id')));
        redirect(res, `${PAGES_PATH}/leads/${params[0]}`, 303);
      },
      false,
    ),
  ];
}

function num(value: unknown): number | undefined {
  return value === undefined || value === null || value === '' ? undefined : Number(value);
}

/** The sending side's controls, for tests and the demo. */
export interface LeadEventControls {
  moveLead(id: number, statusId: number, pipelineId?: number): void;
  addContact(contact: { name?: string; phone?: string; leadId?: number }): AmoContact;
  webhooks(): AmoWebhook[];
  sentWebhooks(): LeadEvents['sent'];
  /** Resolves once every webhook sent so far has been answered. */
  webhooksSettled(): Promise<void>;
}

export function leadEventControls(state: AmoState): LeadEventControls {
  const s = leadEvents(state);
  return {
    moveLead: (id, statusId, pipelineId) => moveLead(state, id, statusId, pipelineId),
    addContact: (c) => addContact(state, c.name ?? 'Customer', c.phone ?? null, c.leadId),
    webhooks: () => s.hooks.map((h) => ({ ...h })),
    sentWebhooks: () => [...s.sent],
    webhooksSettled: async () => {
      while (s.inFlight.size) await Promise.all([...s.inFlight]);
    },
  };
}
