/** The unauthenticated `/_emulator/*` control routes: thin wrappers over the state's methods. */
import type { GoogleState } from './google-state';
import { HttpError, isObject, readPayload, sendJson } from './http-io';
import { route, type RequestContext, type Route } from './route-table';
import type {
  AuthorizeInput,
  CellValue,
  GoogleClientInput,
  ServiceAccountInput,
} from './google-types';

type Body = Record<string, unknown>;

/** Reads an optional JSON object and answers JSON; plain Errors become 400 `{ error }`. */
function control(produce: (body: Body, ctx: RequestContext) => unknown, status = 200) {
  return async (ctx: RequestContext): Promise<void> => {
    const raw = await readPayload(ctx.req);
    let result: unknown;
    try {
      result = produce(isObject(raw) ? raw : {}, ctx);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, { error: (error as Error).message });
    }
    sendJson(ctx.res, status, result ?? { ok: true });
  };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function buildControlRoutes(state: GoogleState): Route[] {
  const c = (method: string, path: string, handler: Route['handler']): Route =>
    route(method, `/_emulator${path}`, 'control', handler);
  return [
    c(
      'GET',
      '/state',
      control(() => ({
        url: state.url,
        endpoints: state.endpoints,
        clients: [...state.oauth.clients.values()].map((cl) => ({
          clientId: cl.clientId,
          redirectUris: cl.redirectUris,
        })),
        signedInUser: state.signedInUser,
        autoApprove: state.autoApprove,
        quota: state.quota,
        spreadsheets: state.listSpreadsheets(),
        counters: state.counters(),
      })),
    ),
    c(
      'POST',
      '/clients',
      control((b) => state.registerClient(b as unknown as GoogleClientInput), 201),
    ),
    c(
      'POST',
      '/user',
      control((b) => state.setSignedInUser(str(b.email) ?? state.signedInUser)),
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
      control((b) => state.authorize(b as unknown as AuthorizeInput)),
    ),
    c(
      'GET',
      '/tokens',
      control(() => state.tokens()),
    ),
    c(
      'POST',
      '/tokens',
      control((b) => state.issueTokens(b), 201),
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
      '/service-accounts',
      control((b) => state.registerServiceAccount(b as unknown as ServiceAccountInput), 201),
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
      '/spreadsheets',
      control(() => state.listSpreadsheets()),
    ),
    c(
      'POST',
      '/spreadsheets',
      control((b) => state.createSpreadsheet(b), 201),
    ),
    c(
      'POST',
      '/spreadsheets/:id/share',
      control((b, ctx) => state.shareSpreadsheet(ctx.params[0], str(b.email) ?? '')),
    ),
    c(
      'GET',
      '/spreadsheets/:id/cells',
      control((_b, ctx) =>
        state.readCells(ctx.params[0], ctx.url.searchParams.get('range') ?? undefined),
      ),
    ),
    c(
      'POST',
      '/spreadsheets/:id/cells',
      control((b, ctx) =>
        state.setCells(ctx.params[0], str(b.range) ?? '', (b.values ?? []) as CellValue[][]),
      ),
    ),
    c(
      'POST',
      '/spreadsheets/:id/sort-rows',
      control((b, ctx) =>
        state.sortRows(ctx.params[0], str(b.sheet) ?? 'Sheet1', {
          column: str(b.column) ?? 'A',
          fromRow: typeof b.fromRow === 'number' ? b.fromRow : undefined,
          descending: b.descending === true,
        }),
      ),
    ),
    c(
      'POST',
      '/spreadsheets/:id/insert-rows',
      control((b, ctx) =>
        state.insertRows(
          ctx.params[0],
          str(b.sheet) ?? 'Sheet1',
          typeof b.beforeRow === 'number' ? b.beforeRow : 1,
          typeof b.count === 'number' ? b.count : 1,
        ),
      ),
    ),
    c(
      'POST',
      '/quota',
      control((b) => state.setQuota(b)),
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
