/**
 * HTTP surface: the OAuth pages and token endpoint, the bearer-protected /api/v4 routes, and the
 * unauthenticated /_emulator controls (see control-routes.ts) and pages (lead-pages.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AmoState } from './amocrm-state';
import { blockedError, unauthorizedError } from './amocrm-state';
import { buildControlRoutes } from './control-routes';
import { buildPageRoutes } from './lead-pages';
import { buildLeadEventRoutes, installLeadEvents } from './lead-events';
import {
  fieldToApi,
  filterLeads,
  filterNotes,
  leadToApi,
  noteToApi,
  paginate,
  pipelineToApi,
  sortBy,
} from './crm-query';
import {
  HttpError,
  escapeHtml,
  headerValue,
  isObject,
  parseNestedQuery,
  problem,
  readBody,
  readPayload,
  redirect,
  send,
  sendNoContent,
} from './http-io';
import { validationFailure, type ItemErrors } from './lead-input';
import type { AmoApproveOptions, AmoCustomFieldInput } from './amocrm-types';
import { route, type Area, type RequestContext, type Route } from './route-table';

function consentPage(state: AmoState, url: URL, clientName: string): string {
  const hidden = ['client_id', 'state', 'mode']
    .map((k) => [k, url.searchParams.get(k)] as const)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v ?? '')}">`)
    .join('');
  const account = state.crm.account;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Предоставить доступ</title></head>
<body><h1>Предоставить доступ</h1>
<p>Интеграция <b>${escapeHtml(clientName)}</b> запрашивает доступ к аккаунту
<b>${escapeHtml(account.name)}</b> (${escapeHtml(state.host)}).</p>
<form method="post" action="/oauth/decision">${hidden}
<button type="submit" name="decision" value="allow">Разрешить</button>
<button type="submit" name="decision" value="deny">Отказать</button></form></body></html>`;
}

function oauthPage(state: AmoState, { url, res }: RequestContext): void {
  const clientId = url.searchParams.get('client_id') ?? undefined;
  const integration = state.oauth.integration(clientId);
  if (!integration) {
    send(res, 400, '<!doctype html><h1>Интеграция не найдена</h1>', 'html');
    return;
  }
  const stateParam = url.searchParams.get('state') ?? undefined;
  if (state.autoApprove !== false) {
    redirect(res, state.authorize(integration.clientId, stateParam, state.autoApprove).redirectUrl);
    return;
  }
  send(res, 200, consentPage(state, url, integration.name ?? integration.clientId), 'html');
}

async function oauthDecision(state: AmoState, { req, res }: RequestContext): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  const clientId = form.get('client_id') ?? undefined;
  if (!state.oauth.integration(clientId)) {
    send(res, 400, '<!doctype html><h1>Интеграция не найдена</h1>', 'html');
    return;
  }
  const options: AmoApproveOptions = { deny: form.get('decision') !== 'allow' };
  const result = state.authorize(clientId, form.get('state') ?? undefined, options);
  redirect(res, result.redirectUrl);
}

async function tokenEndpoint(state: AmoState, { req, res }: RequestContext): Promise<void> {
  state.stats.tokenRequests += 1;
  try {
    const { grant, tokens } = state.oauth.exchange(await readPayload(req));
    if (grant === 'authorization_code') state.stats.authorizationCodeGrants += 1;
    else state.stats.refreshTokenGrants += 1;
    send(res, 200, tokens, 'json');
  } catch (error) {
    state.stats.tokenErrors += 1;
    throw error;
  }
}

function withParams(url: URL): Set<string> {
  return new Set((url.searchParams.get('with') ?? '').split(',').map((s) => s.trim()));
}

function listLeads(state: AmoState, { url, res }: RequestContext): void {
  const query = parseNestedQuery(url.searchParams);
  const options = { customFieldFilter: state.options.customFieldFilter ?? 'supported' } as const;
  let leads = [...state.crm.leads.values()];
  if (typeof query.query === 'string' && query.query.trim() !== '') {
    const text = { query: query.query };
    leads = leads.filter((lead) => {
      const indexed = state.search.view(lead);
      return indexed !== undefined && filterLeads([indexed], text, options).length > 0;
    });
  }
  const filtered = filterLeads(leads, { ...query, query: '' }, options);
  const page = paginate(sortBy(filtered, query), url, state.url);
  if (page.items.length === 0) {
    sendNoContent(res);
    return;
  }
  const withSet = withParams(url);
  send(res, 200, {
    _page: page.page,
    _links: page.links,
    _embedded: { leads: page.items.map((l) => leadToApi(l, state.url, withSet)) },
  });
}

function savedLeads(
  state: AmoState,
  res: ServerResponse,
  saved: Array<{ lead: { id: number; updated_at: number }; requestId: string }>,
  update: boolean,
): void {
  const items = saved.map(({ lead, requestId }) => ({
    id: lead.id,
    ...(update ? { updated_at: lead.updated_at } : {}),
    request_id: requestId,
    _links: { self: { href: `${state.url}/api/v4/leads/${lead.id}` } },
  }));
  send(res, 200, {
    _links: { self: { href: `${state.url}/api/v4/leads` } },
    _embedded: { leads: items },
  });
}

function countValidation<T>(state: AmoState, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof HttpError && error.status === 400) state.stats.validationErrors += 1;
    throw error;
  }
}

function listNotes(state: AmoState, { url, res }: RequestContext, leadId?: number): void {
  if (leadId !== undefined && !state.crm.leads.has(leadId)) {
    throw problem(404, 'Not Found', 'Lead not found');
  }
  const query = parseNestedQuery(url.searchParams);
  const all = [...state.crm.notes.values()].filter(
    (n) => leadId === undefined || n.entity_id === leadId,
  );
  const page = paginate(sortBy(filterNotes(all, query), query), url, state.url);
  if (page.items.length === 0) {
    sendNoContent(res);
    return;
  }
  send(res, 200, {
    _page: page.page,
    _links: page.links,
    _embedded: { notes: page.items.map((n) => noteToApi(n, state.url)) },
  });
}

async function addNotes(state: AmoState, ctx: RequestContext, leadId?: number): Promise<void> {
  const body = await readPayload(ctx.req);
  const saved = countValidation(state, () => state.crm.addNotes(body, leadId));
  state.stats.notesCreated += saved.length;
  const base = `${state.url}/api/v4/leads${leadId === undefined ? '' : `/${leadId}`}/notes`;
  send(ctx.res, 200, {
    _links: { self: { href: base } },
    _embedded: {
      notes: saved.map(({ note, requestId }) => ({
        id: note.id,
        entity_id: note.entity_id,
        request_id: requestId,
        _links: { self: { href: `${state.url}/api/v4/leads/${note.entity_id}/notes/${note.id}` } },
      })),
    },
  });
}

async function addCustomFields(state: AmoState, { req, res }: RequestContext): Promise<void> {
  const body = await readPayload(req);
  const items = Array.isArray(body) ? body : [body];
  const failures: ItemErrors[] = [];
  const created = items.flatMap((item: unknown, i) => {
    try {
      return [
        state.crm.createCustomField((isObject(item) ? item : {}) as unknown as AmoCustomFieldInput),
      ];
    } catch (error) {
      const [path, detail] = (error as Error).message.split(': ');
      failures.push({ request_id: String(i), errors: [{ code: 'NotValid', path, detail }] });
      return [];
    }
  });
  if (failures.length > 0) {
    state.crm.fields = state.crm.fields.filter((f) => !created.includes(f));
    state.stats.validationErrors += 1;
    throw validationFailure(failures);
  }
  const accountId = state.crm.account.id;
  send(res, 200, {
    _total_items: created.length,
    _embedded: { custom_fields: created.map((f) => fieldToApi(f, state.url, accountId)) },
  });
}

function accountBody(state: AmoState): object {
  const a = state.crm.account;
  return {
    id: a.id,
    name: a.name,
    subdomain: a.subdomain,
    created_at: a.created_at,
    created_by: a.users[0].id,
    updated_at: a.created_at,
    updated_by: a.users[0].id,
    current_user_id: a.current_user_id,
    country: a.country,
    customers_mode: 'disabled',
    is_unsorted_on: true,
    is_loss_reason_enabled: true,
    is_helpbot_enabled: false,
    is_technical_account: false,
    contact_name_display_order: 1,
    currency: a.currency,
    currency_symbol: a.currency_symbol,
    mobile_feature_version: 0,
    _links: { self: { href: `${state.url}/api/v4/account` } },
  };
}

function buildApiRoutes(state: AmoState): Route[] {
  const id = (ctx: RequestContext): number => Number(ctx.params[0]);
  const accountId = (): number => state.crm.account.id;
  return [
    route('GET', '/oauth', 'oauth', (ctx) => oauthPage(state, ctx)),
    route('POST', '/oauth/decision', 'oauth', (ctx) => oauthDecision(state, ctx)),
    route('POST', '/oauth2/access_token', 'oauth', (ctx) => tokenEndpoint(state, ctx)),
    route('GET', '/oauth2/account/subdomain', 'api', ({ res }) =>
      send(
        res,
        200,
        {
          id: accountId(),
          subdomain: state.crm.account.subdomain,
          domain: state.host,
          top_level_domain: 'ru',
        },
        'json',
      ),
    ),
    route('GET', '/api/v4/account', 'api', ({ res }) => send(res, 200, accountBody(state))),
    route('GET', '/api/v4/leads', 'api', (ctx) => listLeads(state, ctx)),
    route('POST', '/api/v4/leads', 'api', async (ctx) => {
      const body = await readPayload(ctx.req);
      const saved = countValidation(state, () => state.crm.addLeads(body));
      state.stats.leadsCreated += saved.length;
      savedLeads(state, ctx.res, saved, false);
    }),
    route('PATCH', '/api/v4/leads', 'api', async (ctx) => {
      const body = await readPayload(ctx.req);
      const saved = countValidation(state, () => state.crm.updateLeads(body));
      state.stats.leadsUpdated += saved.length;
      savedLeads(state, ctx.res, saved, true);
    }),
    route('GET', '/api/v4/leads/notes', 'api', (ctx) => listNotes(state, ctx)),
    route('POST', '/api/v4/leads/notes', 'api', (ctx) => addNotes(state, ctx)),
    route('GET', '/api/v4/leads/custom_fields', 'api', ({ res }) => {
      const fields = state.crm.fields;
      if (fields.length === 0) return sendNoContent(res);
      send(res, 200, {
        _total_items: fields.length,
        _page: 1,
        _page_count: 1,
        _links: { self: { href: `${state.url}/api/v4/leads/custom_fields?page=1&limit=50` } },
        _embedded: { custom_fields: fields.map((f) => fieldToApi(f, state.url, accountId())) },
      });
    }),
    route('POST', '/api/v4/leads/custom_fields', 'api', (ctx) => addCustomFields(state, ctx)),
    route('GET', '/api/v4/leads/custom_fields/:id', 'api', (ctx) => {
      const field = state.crm.fields.find((f) => f.id === id(ctx));
      if (!field) throw problem(404, 'Not Found', 'Custom field not found');
      send(ctx.res, 200, fieldToApi(field, state.url, accountId()));
    }),
    route('GET', '/api/v4/leads/pipelines', 'api', ({ res }) =>
      send(res, 200, {
        _total_items: state.crm.pipelines.length,
        _links: { self: { href: `${state.url}/api/v4/leads/pipelines` } },
        _embedded: {
          pipelines: state.crm.pipelines.map((p) => pipelineToApi(p, state.url, accountId())),
        },
      }),
    ),
    route('GET', '/api/v4/leads/pipelines/:id', 'api', (ctx) => {
      const pipeline = state.crm.pipelines.find((p) => p.id === id(ctx));
      if (!pipeline) throw problem(404, 'Not Found', 'Pipeline not found');
      send(ctx.res, 200, pipelineToApi(pipeline, state.url, accountId()));
    }),
    route('GET', '/api/v4/leads/pipelines/:id/statuses', 'api', (ctx) => {
      const pipeline = state.crm.pipelines.find((p) => p.id === id(ctx));
      if (!pipeline) throw problem(404, 'Not Found', 'Pipeline not found');
      const api = pipelineToApi(pipeline, state.url, accountId()) as { _embedded: unknown };
      send(ctx.res, 200, {
        _total_items: pipeline.statuses.length,
        _links: { self: { href: `${state.url}/api/v4/leads/pipelines/${pipeline.id}/statuses` } },
        _embedded: api._embedded,
      });
    }),
    route('GET', '/api/v4/leads/:id', 'api', (ctx) => {
      const lead = state.crm.leads.get(id(ctx));
      if (!lead) return sendNoContent(ctx.res);
      send(ctx.res, 200, leadToApi(lead, state.url, withParams(ctx.url)));
    }),
    route('PATCH', '/api/v4/leads/:id', 'api', async (ctx) => {
      const body = await readPayload(ctx.req);
      const saved = countValidation(state, () => state.crm.updateLeads(body, id(ctx)));
      state.stats.leadsUpdated += 1;
      const { lead } = saved[0];
      send(ctx.res, 200, {
        id: lead.id,
        updated_at: lead.updated_at,
        _links: { self: { href: `${state.url}/api/v4/leads/${lead.id}` } },
      });
    }),
    route('GET', '/api/v4/leads/:id/notes', 'api', (ctx) => listNotes(state, ctx, id(ctx))),
    route('POST', '/api/v4/leads/:id/notes', 'api', (ctx) => addNotes(state, ctx, id(ctx))),
    route('GET', '/api/v4/leads/:id/notes/:id', 'api', (ctx) => {
      const note = state.crm.notes.get(Number(ctx.params[1]));
      if (!note || note.entity_id !== id(ctx)) return sendNoContent(ctx.res);
      send(ctx.res, 200, noteToApi(note, state.url));
    }),
  ];
}

function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const failure =
    error instanceof HttpError
      ? error
      : problem(500, 'Internal Server Error', error instanceof Error ? error.message : 'error');
  const kind = failure.kind === 'problem' && failure.status < 400 ? 'json' : failure.kind;
  send(res, failure.status, failure.body, kind, failure.headers);
}

function bearer(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(headerValue(req, 'authorization') ?? '')?.[1];
}

/** Builds the node:http request listener. */
export function createRequestListener(
  state: AmoState,
): (req: IncomingMessage, res: ServerResponse) => void {
  installLeadEvents(state);
  const routes = [
    ...buildLeadEventRoutes(state),
    ...buildApiRoutes(state),
    ...buildControlRoutes(state),
    ...buildPageRoutes(state),
  ];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', state.url || 'http://127.0.0.1');
    const path = url.pathname.replace(/(.)\/+$/, '$1');
    const method = req.method ?? 'GET';
    const matching = routes.filter((r) => r.pattern.test(path));
    const found = matching.find((r) => r.method === method);
    const area: Area =
      found?.area ?? matching[0]?.area ?? (path.startsWith('/_emulator') ? 'control' : 'api');
    const ctx: RequestContext = { req, res, url, params: [] };
    if (area !== 'control') {
      state.stats.requests += 1;
      if (area === 'api') state.stats.apiRequests += 1;
      res.on('finish', () =>
        state.record({
          at: state.clock.now(),
          method,
          path,
          status: res.statusCode,
          clientId: ctx.clientId,
        }),
      );
    }
    try {
      if (area !== 'control') {
        if (state.blocked) {
          state.stats.blocked += 1;
          throw blockedError();
        }
        const fault = state.takeFault(area, method, path);
        if (fault) throw fault;
      }
      if (!found) {
        if (matching.length > 0)
          throw problem(405, 'Method Not Allowed', `${method} is not allowed`);
        throw problem(404, 'Not Found', 'Not Found');
      }
      if (found.auth) {
        const record = state.oauth.authenticate(bearer(req));
        if (!record) {
          state.stats.unauthorized += 1;
          throw unauthorizedError();
        }
        ctx.clientId = record.clientId;
        state.checkRateLimit(record.clientId);
      }
      ctx.params = (found.pattern.exec(path) ?? []).slice(1).map((p) => decodeURIComponent(p));
      if (area === 'api') {
        // A client that gives up after this point no longer stops the write (proxy buffering).
        await readBody(req);
        await state.beforeHandle?.({ method, path });
      }
      await found.handler(ctx);
    } catch (error) {
      sendError(res, error);
    }
  };
  return (req, res) => void handle(req, res);
}
