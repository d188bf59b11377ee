/** Emulator state shared by the routes and the programmatic controls. */
import { STATUS_CODES } from 'node:http';
import { faultRatio, firesNow } from '../common/fault-ratio';
import { CrmStore } from './amocrm-crm';
import { SearchIndex } from './search-index';
import { AmoOAuth, type Clock } from './amocrm-oauth';
import type {
  AmoAccount,
  AmoAccountInput,
  AmoApproveOptions,
  AmoCustomField,
  AmoCustomFieldInput,
  AmoFaultScope,
  AmoFaultSpec,
  AmoIntegrationInput,
  AmoIssuedTokens,
  AmoLead,
  AmoNote,
  AmoPipeline,
  AmoPipelineInput,
  AmoRequestLogEntry,
  AmoTokenSummary,
  AmocrmCounters,
  AmocrmEmulatorOptions,
  AuthorizeResult,
} from './amocrm-types';
import { HttpError, problem } from './http-io';

export const DEFAULT_CLIENT_ID = 'amocrm-emulator-client';
export const DEFAULT_CLIENT_SECRET = 'amocrm-emulator-secret';
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:3000/connectors/amocrm/callback';
const LOG_LIMIT = 1000;

const nginxPage = (status: number): string =>
  `<html>\r\n<head><title>${status} ${STATUS_CODES[status] ?? ''}</title></head>\r\n<body>\r\n` +
  `<center><h1>${status} ${STATUS_CODES[status] ?? ''}</h1></center>\r\n<hr><center>nginx</center>\r\n` +
  '</body>\r\n</html>\r\n';

/** The 403 HTML block page of an API-blocked account (docs B5, D). */
export const blockedError = (): HttpError => new HttpError(403, nginxPage(403), 'html');
/** 429 with a body that is not JSON (docs B5). */
export const rateLimitError = (): HttpError => new HttpError(429, nginxPage(429), 'html');
export const unauthorizedError = (): HttpError =>
  new HttpError(401, {
    title: 'Unauthorized',
    type: 'https://httpstatus.es/401',
    status: 401,
    detail: 'Неверный логин или пароль',
  });

interface Fault {
  remaining: number;
  status: number;
  scope: AmoFaultScope;
  method?: string;
  pathIncludes?: string;
  ratio: number;
  seen: number;
}

const zeroCounters = (): AmocrmCounters => ({
  requests: 0,
  apiRequests: 0,
  tokenRequests: 0,
  authorizationCodeGrants: 0,
  refreshTokenGrants: 0,
  tokenErrors: 0,
  unauthorized: 0,
  rateLimited: 0,
  blocked: 0,
  faults: 0,
  validationErrors: 0,
  leadsCreated: 0,
  leadsUpdated: 0,
  notesCreated: 0,
});

export class AmoState {
  url = '';
  port = 0;
  host = '';
  readonly clock: Clock;
  readonly oauth: AmoOAuth;
  readonly crm: CrmStore;
  stats = zeroCounters();
  blocked = false;
  autoApprove: false | AmoApproveOptions = false;
  rateLimit: number;
  private clockOffsetMs = 0;
  private faults: Fault[] = [];
  private windows = new Map<string, number[]>();
  private log: AmoRequestLogEntry[] = [];
  readonly search = new SearchIndex(() => this.clock.now());
  beforeHandle?: (info: { method: string; path: string }) => Promise<void> | void;

  constructor(readonly options: AmocrmEmulatorOptions) {
    this.clock = { now: () => Date.now() + this.clockOffsetMs };
    this.crm = new CrmStore(() => this.nowSec());
    this.crm.onLeadWritten = (lead, previous) => this.search.written(lead, previous);
    this.oauth = new AmoOAuth({
      clock: this.clock,
      options,
      accountId: () => this.crm.account.id,
      userId: () => this.crm.account.current_user_id,
      host: () => this.host,
    });
    this.rateLimit = options.rateLimitPerSecond ?? 7;
    this.reset();
  }

  nowSec(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  reset(): void {
    const { integration, account, autoApprove } = this.options;
    this.clockOffsetMs = 0;
    this.oauth.integrations.clear();
    this.oauth.registerIntegration({
      clientId: integration?.clientId ?? DEFAULT_CLIENT_ID,
      clientSecret: integration?.clientSecret ?? DEFAULT_CLIENT_SECRET,
      redirectUri: integration?.redirectUri ?? DEFAULT_REDIRECT_URI,
      name: integration?.name ?? 'Emulated integration',
    });
    this.oauth.clearTokens();
    this.crm.createAccount(account);
    this.setAutoApprove(autoApprove ?? false);
    this.rateLimit = this.options.rateLimitPerSecond ?? 7;
    this.blocked = false;
    this.faults = [];
    this.search.clear();
    this.windows.clear();
    this.log = [];
    this.stats = zeroCounters();
  }

  defaultClientId(): string {
    return this.oauth.integrations.keys().next().value ?? DEFAULT_CLIENT_ID;
  }

  // ---- OAuth controls ----

  registerIntegration(input: AmoIntegrationInput): void {
    this.oauth.registerIntegration(input);
  }

  setAutoApprove(value: boolean | AmoApproveOptions): void {
    this.autoApprove = value === true ? {} : value === false ? false : { ...value };
  }

  authorize(
    clientId = this.defaultClientId(),
    state?: string,
    options: AmoApproveOptions = {},
  ): AuthorizeResult {
    const integration = this.oauth.integration(clientId);
    if (!integration) throw problem(400, 'Bad Request', `Unknown integration ${clientId}`);
    const url = new URL(integration.redirectUri);
    if (options.deny) {
      url.searchParams.set('error', 'access_denied');
      if (state !== undefined) url.searchParams.set('state', state);
      url.searchParams.set('client_id', clientId);
      return { redirectUrl: url.toString() };
    }
    const code = this.oauth.issueCode(clientId);
    url.searchParams.set('code', code);
    if (options.fromWidget) url.searchParams.set('from_widget', '1');
    else if (state !== undefined) url.searchParams.set('state', state);
    url.searchParams.set('referer', options.referer ?? this.host);
    url.searchParams.set('client_id', clientId);
    return { code, redirectUrl: url.toString() };
  }

  issueTokens(clientId = this.defaultClientId()): AmoIssuedTokens {
    if (!this.oauth.integration(clientId)) throw new Error(`unknown integration ${clientId}`);
    return this.oauth.issuePair(clientId);
  }

  issueLongLivedToken(options: { clientId?: string; ttlSec?: number } = {}): string {
    return this.oauth.issueLongLived(
      options.clientId ?? this.defaultClientId(),
      options.ttlSec ?? 365 * 86_400,
    );
  }

  revokeLongLivedToken(token: string): boolean {
    return this.oauth.revokeLongLived(token);
  }

  expireAccessToken(token?: string): number {
    return this.oauth.expireAccess(token);
  }

  revokeRefreshToken(token?: string): number {
    return this.oauth.revokeRefresh(token);
  }

  tokens(): AmoTokenSummary[] {
    return this.oauth.summaries();
  }

  advanceClock(seconds: number): void {
    this.clockOffsetMs += seconds * 1000;
  }

  // ---- CRM controls ----

  createAccount(input?: AmoAccountInput): AmoAccount {
    return structuredClone(this.crm.createAccount(input));
  }

  getAccount(): AmoAccount {
    return structuredClone(this.crm.account);
  }

  createPipeline(input: AmoPipelineInput): AmoPipeline {
    return structuredClone(this.crm.createPipeline(input));
  }

  listPipelines(): AmoPipeline[] {
    return structuredClone(this.crm.pipelines);
  }

  createCustomField(input: AmoCustomFieldInput): AmoCustomField {
    return structuredClone(this.crm.createCustomField(input));
  }

  listCustomFields(): AmoCustomField[] {
    return structuredClone(this.crm.fields);
  }

  createLead(input: Record<string, unknown>): AmoLead {
    return structuredClone(this.crm.addLeads([input])[0].lead);
  }

  getLead(id: number): AmoLead | undefined {
    const lead = this.crm.leads.get(id);
    return lead && structuredClone(lead);
  }

  listLeads(): AmoLead[] {
    return structuredClone([...this.crm.leads.values()]);
  }

  listNotes(leadId?: number): AmoNote[] {
    const notes = [...this.crm.notes.values()];
    return structuredClone(
      leadId === undefined ? notes : notes.filter((n) => n.entity_id === leadId),
    );
  }

  // ---- faults, limits, counters ----

  injectFaults(spec: AmoFaultSpec = {}): void {
    this.faults.push({
      remaining: spec.count ?? 1,
      status: spec.status ?? 500,
      scope: spec.scope ?? 'api',
      method: spec.method?.toUpperCase(),
      pathIncludes: spec.pathIncludes,
      ratio: faultRatio(spec.ratio),
      seen: 0,
    });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** The injected failure for this request, if one matches (and is consumed). */
  takeFault(area: 'api' | 'oauth', method: string, path: string): HttpError | undefined {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.scope === 'all' || f.scope === area) &&
        (f.method === undefined || f.method === method) &&
        (f.pathIncludes === undefined || path.includes(f.pathIncludes)) &&
        firesNow(f),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    this.stats.faults += 1;
    if (fault.status === 403) return blockedError();
    if (fault.status === 429) return rateLimitError();
    if (fault.status === 401) return unauthorizedError();
    if (fault.status === 502 || fault.status === 504) {
      return new HttpError(fault.status, nginxPage(fault.status), 'html');
    }
    return problem(fault.status, STATUS_CODES[fault.status] ?? 'Error', 'Emulated fault');
  }

  setBlocked(blocked: boolean): void {
    this.blocked = blocked;
  }

  setSearchLag(ms: number): void {
    this.search.lagMs = ms;
  }

  setBeforeHandle(hook?: (info: { method: string; path: string }) => Promise<void> | void): void {
    this.beforeHandle = hook;
  }

  setRateLimit(perSecond: number): void {
    this.rateLimit = perSecond;
    this.windows.clear();
  }

  /** Sliding one-second window per integration; throws the 429 (and may block the account). */
  checkRateLimit(clientId: string): void {
    if (this.rateLimit <= 0) return;
    const now = this.clock.now();
    const window = (this.windows.get(clientId) ?? []).filter((t) => t > now - 1000);
    if (window.length >= this.rateLimit) {
      this.windows.set(clientId, window);
      this.stats.rateLimited += 1;
      const blockAfter = this.options.blockAfterRateLimitViolations;
      if (blockAfter !== undefined && blockAfter > 0 && this.stats.rateLimited >= blockAfter) {
        this.blocked = true;
      }
      throw rateLimitError();
    }
    window.push(now);
    this.windows.set(clientId, window);
  }

  record(entry: AmoRequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.shift();
  }

  counters(): AmocrmCounters {
    return { ...this.stats };
  }

  requestLog(): AmoRequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }
}
