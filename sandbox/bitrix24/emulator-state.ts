/** The emulator's state: settings, portals, the OAuth store, faults, the clock, method dispatch. */
import { appMethods } from './app-methods';
import { createBatchMethod } from './batch';
import { catalogMethods } from './catalog-methods';
import { dealMethods } from './deal-methods';
import type {
  AppStatus,
  AuthorizeResult,
  Bitrix24EmulatorOptions,
  PortalScoped,
  TokenResponse,
  WebhookInfo,
} from './emulator-types';
import { FaultQueue } from './limits';
import type { CallContext, MethodResult, MethodTable } from './method-types';
import { OAuthStore, type AccessToken } from './oauth-store';
import type { Params } from './php-values';
import { Portal } from './portal-model';
import type { PortalOptions, Webhook } from './portal-types';
import { insufficientScope, methodNotFound, RestError, wrongAuthType } from './rest-errors';
import { timelineMethods } from './timeline-methods';

export interface Settings {
  clientId: string;
  clientSecret: string;
  redirectUri?: string;
  scope: string[];
  appStatus: AppStatus;
  accessTtlMs: number;
  bucketCapacity: number;
  bucketDrainPerSecond: number;
  unknownTokenError: 'NO_AUTH_FOUND' | 'invalid_token';
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const n = value ?? fallback;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
}

export class EmulatorState {
  publicUrl = '';
  readonly settings: Settings;
  readonly portals = new Map<string, Portal>();
  readonly oauth: OAuthStore;
  readonly faults = new FaultQueue();
  readonly methods: MethodTable;
  autoApprove: boolean;
  /** Test hook: runs after a REST call took effect, before its answer is sent. */
  beforeRespond?: (info: {
    method: string;
    portal: string;
    params: Record<string, unknown>;
  }) => Promise<void> | void;
  afterCall?: (method: string, params: Params, ctx: CallContext, out: MethodResult) => void;
  protected clockOffset = 0;

  constructor(readonly options: Bitrix24EmulatorOptions) {
    const scope = options.scope ?? 'crm,user';
    this.settings = {
      clientId: options.clientId ?? 'local.emulator.000001',
      clientSecret: options.clientSecret ?? 'emulator-secret',
      redirectUri: options.redirectUri,
      scope: (Array.isArray(scope) ? scope : scope.split(',')).map((s) => s.trim()).filter(Boolean),
      appStatus: options.appStatus ?? 'L',
      accessTtlMs: positive(options.accessTokenTtlSeconds, 3600, 'accessTokenTtlSeconds') * 1000,
      bucketCapacity: positive(options.bucketCapacity, 50, 'bucketCapacity'),
      bucketDrainPerSecond: positive(options.bucketDrainPerSecond, 2, 'bucketDrainPerSecond'),
      unknownTokenError: options.unknownTokenError ?? 'NO_AUTH_FOUND',
    };
    this.oauth = new OAuthStore({
      codeMs: positive(options.authCodeTtlSeconds, 30, 'authCodeTtlSeconds') * 1000,
      accessMs: this.settings.accessTtlMs,
      refreshMs:
        positive(options.refreshTokenTtlSeconds, 180 * 86400, 'refreshTokenTtlSeconds') * 1000,
    });
    this.autoApprove = options.autoApprove ?? false;
    this.methods = {
      ...dealMethods,
      ...catalogMethods,
      ...timelineMethods,
      ...appMethods,
      batch: createBatchMethod((method, params, ctx) => this.invoke(method, params, ctx, true)),
    };
    this.createPortals();
  }

  now(): number {
    return Date.now() + this.clockOffset;
  }

  /** A portal by name (default: the first); throws for an unknown name. */
  getPortal(name?: string): Portal {
    const portal = name === undefined ? this.portals.values().next().value : this.portals.get(name);
    if (!portal) throw new Error(`unknown portal "${name ?? ''}"`);
    return portal;
  }

  isDefault(portal: Portal): boolean {
    return this.portals.values().next().value === portal;
  }

  portalBaseUrl(portal: Portal): string {
    return this.isDefault(portal) ? this.publicUrl : `${this.publicUrl}/p/${portal.name}`;
  }

  portalDomain(portal: Portal): string {
    const url = new URL(this.portalBaseUrl(portal));
    return `${url.host}${url.pathname.replace(/\/+$/, '')}`;
  }

  authDomain(): string {
    return new URL(this.publicUrl).host;
  }

  tokenResponse(access: AccessToken): TokenResponse {
    const portal = this.getPortal(access.portal);
    return {
      access_token: access.token,
      expires: Math.floor(access.expiresAt / 1000),
      expires_in: Math.round(this.settings.accessTtlMs / 1000),
      scope: access.scope.join(','),
      domain: this.authDomain(),
      server_endpoint: `${this.publicUrl}/rest/`,
      status: this.settings.appStatus,
      client_endpoint: `${this.portalBaseUrl(portal)}/rest/`,
      member_id: portal.memberId,
      user_id: access.userId,
      refresh_token: access.refreshToken,
    };
  }

  /** Runs one method call (top level or inside a batch): scope, faults, then the handler. */
  invoke(method: string, params: Params, ctx: CallContext, insideBatch = false): MethodResult {
    const counters = ctx.portal.counters;
    counters.byMethod[method] = (counters.byMethod[method] ?? 0) + 1;
    const spec = this.methods[method];
    if (!spec) throw methodNotFound();
    if (spec.appOnly && ctx.authType === 'webhook') throw wrongAuthType();
    if (spec.scope && !spec.scope.split('|').some((s) => ctx.scope.includes(s))) {
      throw insufficientScope();
    }
    const fault: RestError | undefined = this.faults.take(ctx.portal.name, method, insideBatch);
    if (fault) {
      counters.faultsInjected += 1;
      throw fault;
    }
    const out = spec.run(params, ctx);
    this.afterCall?.(method, params, ctx, out);
    return out;
  }

  /** Issues a code as the consent page's "Allow" does; the redirect URL when one is known. */
  authorize(
    options: PortalScoped & { userId?: number; state?: string; redirectUri?: string } = {},
  ): AuthorizeResult {
    const p = this.getPortal(options.portal);
    const userId = options.userId ?? p.users[0].id;
    if (!p.user(userId)) throw new Error(`no user ${userId} on portal ${p.name}`);
    const { code } = this.oauth.issueCode(p.name, userId, this.settings.clientId, this.now());
    const params = {
      code,
      state: options.state ?? '',
      domain: this.portalDomain(p),
      member_id: p.memberId,
      scope: this.settings.scope.join(','),
      server_domain: this.authDomain(),
    };
    const target = options.redirectUri ?? this.settings.redirectUri;
    let redirectUrl: string | undefined;
    if (target !== undefined) {
      const url = new URL(target);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      redirectUrl = url.toString();
    }
    return { code, redirectUrl, params };
  }

  protected createPortals(): void {
    this.portals.clear();
    const list = this.options.portals ?? [{ name: 'default' }];
    if (list.length === 0) throw new Error('at least one portal is needed');
    for (const options of list) {
      if (this.portals.has(options.name)) throw new Error(`duplicate portal "${options.name}"`);
      this.portals.set(options.name, this.newPortal(options));
    }
  }

  protected newPortal(options: PortalOptions): Portal {
    const bucket = {
      capacity: this.settings.bucketCapacity,
      drainPerSecond: this.settings.bucketDrainPerSecond,
    };
    return new Portal(options, bucket, () => this.now());
  }

  protected webhookInfo(p: Portal, hook: Webhook): WebhookInfo {
    return {
      portal: p.name,
      userId: hook.userId,
      code: hook.code,
      scope: hook.scope,
      url: `${this.portalBaseUrl(p)}/rest/${hook.userId}/${hook.code}/`,
    };
  }
}
