/** The programmatic controls of the emulator (also served as `/_emulator/*`). */
import { addDeal } from './deal-methods';
import type {
  Bitrix24Counters,
  Bitrix24Emulator,
  PortalInfo,
  PortalScoped,
  TokenResponse,
  WebhookInfo,
} from './emulator-types';
import { EmulatorState } from './emulator-state';
import type { FaultSpec } from './limits';
import { emptyCounters } from './portal-model';
import type {
  CategoryOptions,
  CommentRow,
  DealRow,
  PortalOptions,
  UserFieldOptions,
  WebhookOptions,
} from './portal-types';
import { RestError } from './rest-errors';
import type { DealEventControls } from './event-controls';

type Controls = Omit<
  Bitrix24Emulator,
  'url' | 'port' | 'oauthServerUrl' | 'close' | keyof DealEventControls
>;

export class EmulatorControls extends EmulatorState implements Controls {
  portal(name?: string): PortalInfo {
    const p = this.getPortal(name);
    const baseUrl = this.portalBaseUrl(p);
    return {
      name: p.name,
      domain: this.portalDomain(p),
      memberId: p.memberId,
      baseUrl,
      clientEndpoint: `${baseUrl}/rest/`,
      authorizeUrl: `${baseUrl}/oauth/authorize/`,
      webhooks: [...p.webhooks.values()].map((h) => this.webhookInfo(p, h)),
      userFields: [...p.userFields.keys()],
      categories: [...p.categories.values()].map((c) => ({
        id: c.id,
        name: c.name,
        stages: c.stages.map((s) => s.statusId),
      })),
    };
  }

  listPortals(): PortalInfo[] {
    return [...this.portals.keys()].map((name) => this.portal(name));
  }

  createPortal(options: PortalOptions): PortalInfo {
    if (this.portals.has(options.name)) throw new Error(`portal "${options.name}" already exists`);
    this.portals.set(options.name, this.newPortal(options));
    return this.portal(options.name);
  }

  createWebhook(options: WebhookOptions & PortalScoped = {}): WebhookInfo {
    const p = this.getPortal(options.portal);
    return this.webhookInfo(p, p.addWebhook(options));
  }

  addUserField(options: UserFieldOptions & PortalScoped): string {
    const p = this.getPortal(options.portal);
    const field = p.addUserField(options);
    for (const deal of p.deals.values()) deal[field.fieldName] = field.multiple ? [] : null;
    return field.fieldName;
  }

  addCategory(options: CategoryOptions & PortalScoped): PortalInfo['categories'][number] {
    const c = this.getPortal(options.portal).addCategory(options);
    return { id: c.id, name: c.name, stages: c.stages.map((s) => s.statusId) };
  }

  createDeal(
    fields: Record<string, unknown>,
    options: PortalScoped & { userId?: number } = {},
  ): DealRow {
    const p = this.getPortal(options.portal);
    try {
      return { ...addDeal(p, fields, options.userId ?? p.users[0].id, this.now()) };
    } catch (error) {
      if (error instanceof RestError) throw new Error(error.description);
      throw error;
    }
  }

  getDeal(id: number, options: PortalScoped = {}): DealRow | undefined {
    const deal = this.getPortal(options.portal).deals.get(id);
    return deal && { ...deal };
  }

  listDeals(options: PortalScoped = {}): DealRow[] {
    return [...this.getPortal(options.portal).deals.values()].map((d) => ({ ...d }));
  }

  listComments(options: PortalScoped & { entityId?: number } = {}): CommentRow[] {
    return [...this.getPortal(options.portal).comments.values()]
      .filter((c) => options.entityId === undefined || c.ENTITY_ID === String(options.entityId))
      .map((c) => ({ ...c }));
  }

  issueTokens(options: PortalScoped & { userId?: number } = {}): TokenResponse {
    const p = this.getPortal(options.portal);
    const userId = options.userId ?? p.users[0].id;
    const access = this.oauth.issuePair(
      p.name,
      userId,
      this.settings.clientId,
      this.settings.scope,
      this.now(),
    );
    return this.tokenResponse(access);
  }

  expireAccessToken(token?: string, options: PortalScoped = {}): number {
    const portal = options.portal === undefined ? undefined : this.getPortal(options.portal).name;
    return this.oauth.expireAccess(this.now(), { token, portal });
  }

  revokeRefreshToken(token: string): boolean {
    return this.oauth.revokeRefresh(token);
  }

  revokePortalTokens(options: PortalScoped = {}): number {
    return this.oauth.revokePortal(this.getPortal(options.portal).name);
  }

  setBeforeRespond(
    hook?: (info: {
      method: string;
      portal: string;
      params: Record<string, unknown>;
    }) => Promise<void> | void,
  ): void {
    this.beforeRespond = hook;
  }

  setAutoApprove(enabled: boolean): void {
    this.autoApprove = enabled;
  }

  injectFault(fault: FaultSpec): void {
    if (fault.portal !== undefined) this.getPortal(fault.portal);
    this.faults.add(fault);
  }

  pendingFaults(): FaultSpec[] {
    return this.faults.pending();
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setBucketLevel(level: number, options: PortalScoped = {}): void {
    this.getPortal(options.portal).bucket.set(level, this.now());
  }

  bucketLevel(options: PortalScoped = {}): number {
    return this.getPortal(options.portal).bucket.current(this.now());
  }

  counters(options: PortalScoped = {}): Bitrix24Counters {
    const portals =
      options.portal === undefined ? [...this.portals.values()] : [this.getPortal(options.portal)];
    const total = emptyCounters();
    for (const { counters: c } of portals) {
      total.requests += c.requests;
      total.rejectedByBucket += c.rejectedByBucket;
      total.faultsInjected += c.faultsInjected;
      total.authFailures += c.authFailures;
      total.batchSubCalls += c.batchSubCalls;
      for (const [m, n] of Object.entries(c.byMethod))
        total.byMethod[m] = (total.byMethod[m] ?? 0) + n;
    }
    return { ...total, oauth: { ...this.oauth.counters } };
  }

  advanceClock(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('advanceClock needs ms >= 0');
    this.clockOffset += ms;
  }

  reset(options: { config?: boolean } = {}): void {
    this.clockOffset = 0;
    this.oauth.clear();
    this.faults.clear();
    this.autoApprove = this.options.autoApprove ?? false;
    if (options.config) this.createPortals();
    else for (const p of this.portals.values()) p.clearData();
  }
}
