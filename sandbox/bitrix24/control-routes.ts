/** `/_emulator/*`: the HTTP face of the programmatic controls (JSON in, JSON out). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorControls } from './emulator-controls';
import { readBody, sendJson } from './http-io';
import type { FaultSpec } from './limits';
import { isPlainObject, text, type Params } from './php-values';
import type {
  CategoryOptions,
  PortalOptions,
  UserFieldOptions,
  WebhookOptions,
} from './portal-types';

type Handler = (state: EmulatorControls, body: Params, match: string[], url: URL) => unknown;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const P = '/_emulator/portals/([a-z0-9-]+)';

const num = (value: unknown): number | undefined =>
  value === undefined || value === null || value === '' ? undefined : Number(value);

const ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: /^\/_emulator\/state$/,
    handler: (s) => ({
      portals: s.listPortals(),
      autoApprove: s.autoApprove,
      faults: s.pendingFaults(),
      counters: s.counters(),
      tokens: s.oauth.stats(s.now()),
    }),
  },
  { method: 'GET', pattern: /^\/_emulator\/portals$/, handler: (s) => s.listPortals() },
  {
    method: 'POST',
    pattern: /^\/_emulator\/portals$/,
    handler: (s, b) => s.createPortal(b as unknown as PortalOptions),
  },
  { method: 'GET', pattern: new RegExp(`^${P}$`), handler: (s, _b, m) => s.portal(m[1]) },
  {
    method: 'POST',
    pattern: new RegExp(`^${P}/webhooks$`),
    handler: (s, b, m) => s.createWebhook({ ...(b as WebhookOptions), portal: m[1] }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${P}/user-fields$`),
    handler: (s, b, m) => ({
      fieldName: s.addUserField({ ...(b as unknown as UserFieldOptions), portal: m[1] }),
    }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${P}/categories$`),
    handler: (s, b, m) => s.addCategory({ ...(b as unknown as CategoryOptions), portal: m[1] }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${P}/deals$`),
    handler: (s, _b, m) => s.listDeals({ portal: m[1] }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${P}/deals$`),
    handler: (s, b, m) =>
      s.createDeal(isPlainObject(b.fields) ? b.fields : b, { portal: m[1], userId: num(b.userId) }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${P}/deals/(\\d+)$`),
    handler: (s, _b, m) => s.getDeal(Number(m[2]), { portal: m[1] }) ?? null,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${P}/comments$`),
    handler: (s, _b, m, url) =>
      s.listComments({
        portal: m[1],
        entityId: num(url.searchParams.get('entityId') ?? undefined),
      }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${P}/authorize$`),
    handler: (s, b, m) =>
      s.authorize({
        portal: m[1],
        userId: num(b.userId),
        state: typeof b.state === 'string' ? b.state : undefined,
        redirectUri: typeof b.redirectUri === 'string' ? b.redirectUri : undefined,
      }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${P}/tokens$`),
    handler: (s, b, m) => s.issueTokens({ portal: m[1], userId: num(b.userId) }),
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^${P}/tokens$`),
    handler: (s, _b, m) => ({ revoked: s.revokePortalTokens({ portal: m[1] }) }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${P}/bucket$`),
    handler: (s, _b, m) => ({ level: s.bucketLevel({ portal: m[1] }) }),
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^${P}/bucket$`),
    handler: (s, b, m) => {
      s.setBucketLevel(Number(b.level ?? 0), { portal: m[1] });
      return { level: s.bucketLevel({ portal: m[1] }) };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_emulator\/tokens\/expire$/,
    handler: (s, b) => ({
      expired: s.expireAccessToken(typeof b.accessToken === 'string' ? b.accessToken : undefined, {
        portal: typeof b.portal === 'string' ? b.portal : undefined,
      }),
    }),
  },
  {
    method: 'POST',
    pattern: /^\/_emulator\/tokens\/revoke$/,
    handler: (s, b) => ({ revoked: s.revokeRefreshToken(text(b.refreshToken)) }),
  },
  {
    method: 'POST',
    pattern: /^\/_emulator\/auto-approve$/,
    handler: (s, b) => {
      s.setAutoApprove(b.enabled !== false);
      return { autoApprove: s.autoApprove };
    },
  },
  { method: 'GET', pattern: /^\/_emulator\/faults$/, handler: (s) => s.pendingFaults() },
  {
    method: 'POST',
    pattern: /^\/_emulator\/faults$/,
    handler: (s, b) => {
      s.injectFault(b as unknown as FaultSpec);
      return s.pendingFaults();
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/_emulator\/faults$/,
    handler: (s) => {
      s.clearFaults();
      return [];
    },
  },
  {
    method: 'GET',
    pattern: /^\/_emulator\/counters$/,
    handler: (s, _b, _m, url) =>
      s.counters({ portal: url.searchParams.get('portal') ?? undefined }),
  },
  {
    method: 'POST',
    pattern: /^\/_emulator\/clock$/,
    handler: (s, b) => {
      s.advanceClock(Number(b.advanceMs ?? 0));
      return { now: new Date(s.now()).toISOString() };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_emulator\/reset$/,
    handler: (s, b) => {
      s.reset({ config: b.config === true });
      return { ok: true };
    },
  },
];

export async function handleControl(
  state: EmulatorControls,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const candidates = ROUTES.filter((r) => r.pattern.test(url.pathname));
  const route = candidates.find((r) => r.method === req.method);
  if (!route) {
    sendJson(res, candidates.length > 0 ? 405 : 404, { error: 'no such control route' });
    return;
  }
  const text = await readBody(req);
  let body: Params = {};
  if (text.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(text);
      body = isPlainObject(parsed) ? parsed : {};
    } catch {
      sendJson(res, 400, { error: 'body is not valid JSON' });
      return;
    }
  }
  try {
    const match = route.pattern.exec(url.pathname) ?? [];
    sendJson(res, 200, route.handler(state, body, [...match], url) ?? null);
  } catch (error) {
    sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
  }
}
