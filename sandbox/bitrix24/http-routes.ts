/**
 * Path routing. The first portal is the root (`/oauth/authorize/`, `/rest/...`); other portals
 * live under `/p/<name>/`. `/oauth/token/` is the auth server; `/_emulator/ui` are pages for
 * people; other `/_emulator/*` are controls.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { handleControl } from './control-routes';
import { handleEventRoute, type EventEmittingControls } from './event-controls';
import { PAGES_PATH, sendPage, wantsHtml } from '../common/html-page';
import { sendJson } from './http-io';
import { handleAuthorize, handleToken } from './oauth-routes';
import { handleDealDetails, handlePage, landingPage } from './portal-pages';
import { handleRest } from './rest-routes';

async function route(
  state: EventEmittingControls,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = url.pathname;
  if (path.startsWith('/_emulator/') && (await handleEventRoute(state, url, req, res))) return;
  if (path === PAGES_PATH || path.startsWith(`${PAGES_PATH}/`)) {
    return handlePage(state, path, req, res);
  }
  if (path.startsWith('/_emulator/')) return handleControl(state, url, req, res);
  if (/^(\/p\/[^/]+)?\/oauth\/token\/?$/.test(path)) return handleToken(state, url, req, res);

  let portal = state.getPortal();
  let rest = path;
  const prefixed = /^\/p\/([^/]+)(\/.*)?$/.exec(path);
  if (prefixed) {
    const found = state.portals.get(prefixed[1]);
    if (!found) {
      sendJson(res, 404, { error: 'PORTAL_NOT_FOUND', error_description: 'Portal not found' });
      return;
    }
    portal = found;
    rest = prefixed[2] ?? '/';
  }
  if (/^\/oauth\/authorize\/?$/.test(rest)) return handleAuthorize(state, portal, url, req, res);
  if (rest.startsWith('/rest/'))
    return handleRest(state, portal, rest.slice('/rest/'.length), url, req, res);
  const deal = /^\/crm\/deal\/details\/(\d+)\/?$/.exec(rest);
  if (deal && req.method === 'GET') return handleDealDetails(portal, deal[1], res);
  if (rest === '/' && wantsHtml(req.headers.accept)) {
    sendPage(res, 200, landingPage(state, portal));
    return;
  }
  if (rest === '/') {
    sendJson(res, 200, { emulator: 'bitrix24', portal: state.portal(portal.name) });
    return;
  }
  sendJson(res, 404, { error: 'NOT_FOUND', error_description: 'Not found' });
}

export function createRequestListener(state: EventEmittingControls): RequestListener {
  return (req, res) => {
    route(state, req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, 500, {
        error: 'INTERNAL_SERVER_ERROR',
        error_description: error instanceof Error ? error.message : 'Internal server error',
      });
    });
  };
}
