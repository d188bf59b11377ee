/** The unauthenticated `/_emulator/*` control routes: thin wrappers over the state's methods. */
import type { AmoState } from './amocrm-state';
import { route, type RequestContext, type Route } from './route-table';
import { HttpError, isObject, readPayload, send } from './http-io';
import type { AmoCustomFieldInput, AmoIntegrationInput, AmoPipelineInput } from './amocrm-types';

type Body = Record<string, unknown>;

/** A control that reads an optional JSON object and answers JSON; plain Errors become 400. */
function control(produce: (body: Body, ctx: RequestContext) => unknown, status = 200) {
  return async (ctx: RequestContext): Promise<void> => {
    const raw = await readPayload(ctx.req);
    let result: unknown;
    try {
      result = produce(isObject(raw) ? raw : {}, ctx);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, { error: (error as Error).message }, 'json');
    }
    send(ctx.res, status, result ?? { ok: true }, 'json');
  };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function buildControlRoutes(state: AmoState): Route[] {
  const c = (method: string, path: string, handler: Route['handler']): Route =>
    route(method, `/_emulator${path}`, 'control', handler, false);
  return [
    c(
      'GET',
      '/state',
      control(() => ({
        url: state.url,
        host: state.host,
        account: state.getAccount(),
        integrations: [...state.oauth.integrations.values()].map((i) => ({
          clientId: i.clientId,
          redirectUri: i.redirectUri,
          name: i.name,
        })),
        autoApprove: state.autoApprove,
        blocked: state.blocked,
        rateLimitPerSecond: state.rateLimit,
        counters: state.counters(),
      })),
    ),
    c(
      'POST',
      '/integrations',
      control((b) => state.registerIntegration(b as unknown as AmoIntegrationInput), 201),
    ),
    c(
      'POST',
      '/auto-approve',
      control((b) => {
        const { enabled, ...options } = b;
        state.setAutoApprove(enabled === false ? false : options);
        return { autoApprove: state.autoApprove };
      }),
    ),
    c(
      'POST',
      '/authorize',
      control((b) =>
        state.authorize(str(b.clientId), str(b.state), {
          deny: b.deny === true,
          referer: str(b.referer),
          fromWidget: b.fromWidget === true,
        }),
      ),
    ),
    c(
      'GET',
      '/tokens',
      control(() => state.tokens()),
    ),
    c(
      'POST',
      '/tokens',
      control((b) => state.issueTokens(str(b.clientId)), 201),
    ),
    c(
      'POST',
      '/tokens/expire',
      control((b) => ({ expired: state.expireAccessToken(str(b.token)) })),
    ),
    c(
      'POST',
      '/tokens/revoke-refresh',
      control((b) => ({ revoked: state.revokeRefreshToken(str(b.token)) })),
    ),
    c(
      'POST',
      '/long-lived-tokens',
      control((b) => {
        const ttlSec = typeof b.ttlSec === 'number' ? b.ttlSec : undefined;
        return { token: state.issueLongLivedToken({ clientId: str(b.clientId), ttlSec }) };
      }, 201),
    ),
    c(
      'POST',
      '/long-lived-tokens/revoke',
      control((b) => ({ revoked: state.revokeLongLivedToken(str(b.token) ?? '') })),
    ),
    c(
      'POST',
      '/clock',
      control((b) => {
        state.advanceClock(typeof b.advanceSeconds === 'number' ? b.advanceSeconds : 0);
        return { now: state.clock.now() };
      }),
    ),
    c(
      'GET',
      '/account',
      control(() => state.getAccount()),
    ),
    c(
      'POST',
      '/account',
      control((b) => state.createAccount(b), 201),
    ),
    c(
      'GET',
      '/pipelines',
      control(() => state.listPipelines()),
    ),
    c(
      'POST',
      '/pipelines',
      control((b) => state.createPipeline(b as unknown as AmoPipelineInput), 201),
    ),
    c(
      'GET',
      '/custom-fields',
      control(() => state.listCustomFields()),
    ),
    c(
      'POST',
      '/custom-fields',
      control((b) => state.createCustomField(b as unknown as AmoCustomFieldInput), 201),
    ),
    c(
      'GET',
      '/leads',
      control(() => state.listLeads()),
    ),
    c(
      'POST',
      '/leads',
      control((b) => state.createLead(b), 201),
    ),
    c(
      'GET',
      '/leads/:id',
      control((_b, ctx) => {
        const lead = state.getLead(Number(ctx.params[0]));
        if (!lead) throw new HttpError(404, { error: 'lead not found' }, 'json');
        return lead;
      }),
    ),
    c(
      'GET',
      '/notes',
      control((_b, ctx) => {
        const leadId = ctx.url.searchParams.get('lead_id');
        return state.listNotes(leadId === null ? undefined : Number(leadId));
      }),
    ),
    c(
      'POST',
      '/faults',
      control((b) => state.injectFaults(b)),
    ),
    c(
      'DELETE',
      '/faults',
      control(() => state.clearFaults()),
    ),
    c(
      'POST',
      '/block',
      control((b) => state.setBlocked(b.blocked !== false)),
    ),
    c(
      'POST',
      '/rate-limit',
      control((b) => state.setRateLimit(typeof b.perSecond === 'number' ? b.perSecond : 7)),
    ),
    c(
      'POST',
      '/search-lag',
      control((b) => {
        state.setSearchLag(typeof b.ms === 'number' && b.ms >= 0 ? b.ms : 0);
        return { searchLagMs: state.search.lagMs };
      }),
    ),
    c(
      'GET',
      '/counters',
      control(() => state.counters()),
    ),
    c(
      'GET',
      '/requests',
      control(() => state.requestLog()),
    ),
    c(
      'POST',
      '/reset',
      control(() => state.reset()),
    ),
  ];
}
