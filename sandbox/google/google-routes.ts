/** The request listener: routing, injected faults, error answers and the request log; pages too. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildControlRoutes } from './control-routes';
import type { GoogleState } from './google-state';
import { HttpError, googleError, sendHtml, sendJson } from './http-io';
import { buildOAuthRoutes } from './oauth-routes';
import type { Area, RequestContext } from './route-table';
import { buildPageRoutes } from './sheet-pages';
import { buildSheetsRoutes } from './sheets-routes';

function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const failure =
    error instanceof HttpError
      ? error
      : error instanceof URIError
        ? googleError(400, 'Invalid percent-encoding in the request path.')
        : googleError(500, error instanceof Error ? error.message : 'Internal error encountered.');
  if (failure.html) sendHtml(res, failure.status, String(failure.body));
  else sendJson(res, failure.status, failure.body, failure.headers);
}

/** A response that swallows what a handler writes (for faults injected `after` the work). */
function sink(): ServerResponse {
  const fake = {
    statusCode: 200,
    headersSent: false,
    writeHead: () => fake,
    setHeader: () => fake,
    hasHeader: () => false,
    end: () => fake,
    destroy: () => fake,
  };
  return fake as unknown as ServerResponse;
}

export function createRequestListener(
  state: GoogleState,
): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = [
    ...buildOAuthRoutes(state),
    ...buildSheetsRoutes(state),
    ...buildControlRoutes(state),
    ...buildPageRoutes(state),
  ];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', state.url || 'http://127.0.0.1');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';
    const matching = routes.filter((r) => r.pattern.test(path));
    const found = matching.find((r) => r.method === method);
    const area: Area =
      found?.area ??
      matching[0]?.area ??
      (path.startsWith('/_emulator') ? 'control' : path.startsWith('/v4/') ? 'sheets' : 'oauth');
    const ctx: RequestContext = { req, res, url, params: [] };
    if (area !== 'control') {
      state.stats.requests += 1;
      if (area === 'sheets') state.stats.sheetsRequests += 1;
      res.on('finish', () =>
        state.record({
          at: state.clock.now(),
          method,
          path,
          query: url.search,
          status: res.statusCode,
          email: ctx.email,
        }),
      );
    }
    try {
      const fault = area === 'control' ? undefined : state.takeFault(area, method, path);
      if (fault?.when === 'before') throw fault.error;
      if (!found) {
        throw matching.length > 0
          ? googleError(405, `Method ${method} is not allowed.`)
          : googleError(404, 'Requested entity was not found.');
      }
      ctx.params = (found.pattern.exec(path) ?? []).slice(1).map((p) => decodeURIComponent(p));
      if (fault) {
        await found.handler({ ...ctx, res: sink() });
        throw fault.error;
      }
      await found.handler(ctx);
    } catch (error) {
      sendError(res, error);
    }
  };
  return (req, res) => void handle(req, res);
}
