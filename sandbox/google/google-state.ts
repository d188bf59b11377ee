/** Emulator state shared by the routes and the programmatic controls. */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { faultRatio, firesNow } from '../common/fault-ratio';
import { columnIndex, quoteSheet } from './a1-range';
import { GoogleOAuth, type AuthRequest, type Clock } from './google-oauth';
import { normalizeScopes } from './identity';
import type {
  AuthorizeInput,
  CellValue,
  GoogleApproveOptions,
  GoogleClientInput,
  GoogleCounters,
  GoogleEmulatorOptions,
  GoogleEndpoints,
  GoogleFaultScope,
  GoogleFaultSpec,
  GoogleRequestLogEntry,
  GoogleTokenResponse,
  GoogleTokenSummary,
  IssueTokensInput,
  QuotaLimits,
  ServiceAccountInput,
  SpreadsheetInput,
  SpreadsheetSummary,
} from './google-types';
import { HttpError, googleError, oauthError } from './http-io';
import {
  insertRows,
  sortRows,
  parseRange,
  planUpdate,
  readValues,
  writeCells,
  type SpreadsheetData,
} from './sheet-model';

export const DEFAULT_CLIENT_ID = 'google-emulator-client.apps.googleusercontent.com';
export const DEFAULT_CLIENT_SECRET = 'GOCSPX-google-emulator-secret';
export const DEFAULT_USER_EMAIL = 'user@example.com';
const LOG_LIMIT = 1000;
const DEFAULT_QUOTA: QuotaLimits = {
  readRequestsPerMinutePerUser: 60,
  writeRequestsPerMinutePerUser: 60,
  readRequestsPerMinutePerProject: 300,
  writeRequestsPerMinutePerProject: 300,
};

interface Fault {
  remaining: number;
  status: number;
  scope: GoogleFaultScope;
  method?: string;
  pathIncludes?: string;
  when: 'before' | 'after';
  ratio: number;
  seen: number;
}

const zeroCounters = (): GoogleCounters => ({
  requests: 0,
  sheetsRequests: 0,
  readRequests: 0,
  writeRequests: 0,
  tokenRequests: 0,
  authorizationCodeGrants: 0,
  refreshTokenGrants: 0,
  jwtBearerGrants: 0,
  tokenErrors: 0,
  refreshTokensIssued: 0,
  unauthorized: 0,
  forbidden: 0,
  quotaExceeded: 0,
  faults: 0,
  appends: 0,
  updates: 0,
  cellsWritten: 0,
});

export function spreadsheetId(): string {
  return `1${randomBytes(32).toString('base64url').slice(0, 43)}`;
}

export class GoogleState {
  url = '';
  port = 0;
  readonly clock: Clock;
  readonly oauth: GoogleOAuth;
  readonly spreadsheets = new Map<string, SpreadsheetData>();
  stats = zeroCounters();
  signedInUser = DEFAULT_USER_EMAIL;
  autoApprove: false | GoogleApproveOptions = false;
  quota: QuotaLimits = { ...DEFAULT_QUOTA };
  beforeRespond?: (info: { method: string; spreadsheetId?: string }) => unknown;
  private clockOffsetMs = 0;
  private faults: Fault[] = [];
  private windows = new Map<string, number[]>();
  private log: GoogleRequestLogEntry[] = [];

  constructor(readonly options: GoogleEmulatorOptions) {
    this.clock = { now: () => Date.now() + this.clockOffsetMs };
    this.oauth = new GoogleOAuth(this.clock, options);
    this.reset();
  }

  get endpoints(): GoogleEndpoints {
    return {
      authorize: `${this.url}/o/oauth2/v2/auth`,
      token: `${this.url}/token`,
      revoke: `${this.url}/revoke`,
      tokenInfo: `${this.url}/tokeninfo`,
      userInfo: `${this.url}/oauth2/v3/userinfo`,
      certs: `${this.url}/oauth2/v3/certs`,
      sheetsRootUrl: `${this.url}/`,
    };
  }

  reset(): void {
    const { client, userEmail, autoApprove, quota } = this.options;
    this.clockOffsetMs = 0;
    this.oauth.clear();
    this.oauth.registerClient({
      clientId: client?.clientId ?? DEFAULT_CLIENT_ID,
      clientSecret: client?.clientSecret ?? DEFAULT_CLIENT_SECRET,
      redirectUris: client?.redirectUris,
    });
    this.spreadsheets.clear();
    this.signedInUser = userEmail ?? DEFAULT_USER_EMAIL;
    this.setAutoApprove(autoApprove ?? false);
    this.quota = { ...DEFAULT_QUOTA, ...quota };
    this.faults = [];
    this.beforeRespond = undefined;
    this.windows.clear();
    this.log = [];
    this.stats = zeroCounters();
  }

  defaultClientId(): string {
    return this.oauth.clients.keys().next().value ?? DEFAULT_CLIENT_ID;
  }

  // ---- OAuth controls ----

  registerClient(input: GoogleClientInput): void {
    this.oauth.registerClient(input);
  }

  setSignedInUser(email: string): void {
    this.signedInUser = email;
  }

  setAutoApprove(value: boolean | GoogleApproveOptions): void {
    this.autoApprove = value === true ? {} : value === false ? false : { ...value };
  }

  authorize(input: AuthorizeInput): { code?: string; redirectUrl: string } {
    const clientId = input.clientId ?? this.defaultClientId();
    const client = this.oauth.clients.get(clientId);
    if (!client) throw new Error(`unknown client ${clientId}`);
    const redirectUri = input.redirectUri ?? client.redirectUris?.[0];
    if (!redirectUri)
      throw new Error('redirectUri is required for a client without registered URIs');
    const request: AuthRequest = {
      clientId,
      redirectUri,
      scopes: normalizeScopes(input.scope),
      offline: input.accessType === 'offline',
      prompt: new Set((input.prompt ?? '').split(' ').filter((p) => p !== '')),
      state: input.state,
      includeGranted: input.includeGrantedScopes ?? false,
    };
    return this.oauth.approve(request, input.email ?? this.signedInUser, {
      grantedScopes: input.grantedScopes,
    });
  }

  issueTokens(input: IssueTokensInput = {}): GoogleTokenResponse {
    const clientId = input.clientId ?? this.defaultClientId();
    if (!this.oauth.clients.has(clientId)) throw new Error(`unknown client ${clientId}`);
    const email = input.email ?? this.signedInUser;
    const scopes = normalizeScopes(input.scopes ?? ['spreadsheets', 'email']);
    const offline = input.offline ?? true;
    const refresh = offline ? this.oauth.issueRefresh(clientId, email, scopes) : undefined;
    const access = this.oauth.issueAccess(clientId, email, scopes, offline, refresh);
    return this.oauth.response(access, clientId, refresh);
  }

  registerServiceAccount(input: ServiceAccountInput): void {
    this.oauth.registerServiceAccount(input);
  }

  revokeRefreshToken(token?: string): number {
    return this.oauth.revokeRefresh(token);
  }

  expireAccessToken(token?: string): number {
    return this.oauth.expireAccess(token);
  }

  tokens(): GoogleTokenSummary[] {
    return this.oauth.summaries();
  }

  advanceClock(seconds: number): void {
    this.clockOffsetMs += seconds * 1000;
  }

  // ---- spreadsheets ----

  createSpreadsheet(input: SpreadsheetInput = {}, access?: Set<string>): SpreadsheetSummary {
    const id = input.spreadsheetId ?? spreadsheetId();
    if (this.spreadsheets.has(id)) throw new Error(`spreadsheet ${id} exists`);
    const sheetInputs = input.sheets?.length ? input.sheets : [{ title: 'Sheet1' }];
    const titles = new Set<string>();
    const ss: SpreadsheetData = {
      spreadsheetId: id,
      title: input.title ?? 'Untitled spreadsheet',
      locale: input.locale ?? 'en_US',
      timeZone: input.timeZone ?? 'Etc/GMT',
      access: access ?? (input.sharedWith ? new Set(input.sharedWith) : 'anyone'),
      sheets: sheetInputs.map((s, index) => {
        if (!s.title || titles.has(s.title.toLowerCase()))
          throw new Error(`bad sheet title ${s.title}`);
        titles.add(s.title.toLowerCase());
        return {
          sheetId: s.sheetId ?? (index === 0 ? 0 : Math.floor(Math.random() * 2_000_000_000) + 1),
          title: s.title,
          index,
          rowCount: s.rowCount ?? 1000,
          columnCount: s.columnCount ?? 26,
          frozenRowCount: s.frozenRowCount ?? 0,
          rows: [],
        };
      }),
    };
    sheetInputs.forEach((s, i) => {
      const rows = [...(s.header ? [s.header] : []), ...(s.rows ?? [])];
      if (rows.length > 0) writeCells({ sheet: ss.sheets[i], r0: 0, c0: 0 }, rows, 'RAW');
    });
    this.spreadsheets.set(id, ss);
    return this.summary(ss);
  }

  summary(ss: SpreadsheetData): SpreadsheetSummary {
    return {
      spreadsheetId: ss.spreadsheetId,
      title: ss.title,
      sheets: ss.sheets.map((s) => ({
        sheetId: s.sheetId,
        title: s.title,
        rowCount: s.rowCount,
        columnCount: s.columnCount,
      })),
    };
  }

  listSpreadsheets(): SpreadsheetSummary[] {
    return [...this.spreadsheets.values()].map((ss) => this.summary(ss));
  }

  private spreadsheet(id: string): SpreadsheetData {
    const ss = this.spreadsheets.get(id);
    if (!ss) throw new Error(`unknown spreadsheet ${id}`);
    return ss;
  }

  shareSpreadsheet(id: string, email: string): void {
    const ss = this.spreadsheet(id);
    if (ss.access !== 'anyone') ss.access.add(email);
  }

  readCells(id: string, range?: string): CellValue[][] {
    const ss = this.spreadsheet(id);
    return (
      readValues(ss, range ?? quoteSheet(ss.sheets[0].title), 'UNFORMATTED_VALUE').values ?? []
    );
  }

  setCells(id: string, range: string, values: Array<Array<CellValue | null>>): void {
    planUpdate(this.spreadsheet(id), range, values, 'USER_ENTERED').apply();
  }

  insertRows(id: string, sheetTitle: string, beforeRow: number, count = 1): void {
    const { sheet } = parseRange(this.spreadsheet(id), quoteSheet(sheetTitle));
    insertRows(sheet, beforeRow - 1, count);
  }

  sortRows(
    id: string,
    sheetTitle: string,
    input: { column: string; fromRow?: number; descending?: boolean },
  ): void {
    const { sheet } = parseRange(this.spreadsheet(id), quoteSheet(sheetTitle));
    sortRows(sheet, (input.fromRow ?? 2) - 1, columnIndex(input.column), input.descending);
  }

  // ---- quota, faults, counters ----

  setBeforeRespond(hook?: (info: { method: string; spreadsheetId?: string }) => unknown): void {
    this.beforeRespond = hook;
  }

  setQuota(limits: Partial<QuotaLimits>): void {
    this.quota = { ...this.quota, ...limits };
    this.windows.clear();
  }

  /** Per-user and per-project requests per minute (sliding window); throws the 429. */
  checkQuota(kind: 'read' | 'write', email: string): void {
    const now = this.clock.now();
    const Kind = kind === 'write' ? 'write' : 'read';
    const checks: Array<[string, number, 'user' | 'project']> = [
      [`${kind}|user|${email}`, this.quota[`${Kind}RequestsPerMinutePerUser`], 'user'],
      [`${kind}|project`, this.quota[`${Kind}RequestsPerMinutePerProject`], 'project'],
    ];
    const windows = checks.map(([key]) =>
      (this.windows.get(key) ?? []).filter((t) => t > now - 60_000),
    );
    checks.forEach(([key], i) => this.windows.set(key, windows[i]));
    const hit = checks.findIndex(([, limit], i) => windows[i].length >= limit);
    if (hit >= 0) {
      this.stats.quotaExceeded += 1;
      throw this.quotaError(kind, checks[hit][2], checks[hit][1]);
    }
    windows.forEach((w) => w.push(now));
  }

  quotaError(kind: 'read' | 'write', per: 'user' | 'project', limit: number): HttpError {
    const project = this.options.projectNumber ?? '123456789012';
    const metric = kind === 'write' ? 'Write requests' : 'Read requests';
    const Metric = kind === 'write' ? 'Write' : 'Read';
    return googleError(
      429,
      `Quota exceeded for quota metric '${metric}' and limit '${metric} per minute per ${per}' ` +
        `of service 'sheets.googleapis.com' for consumer 'project_number:${project}'.`,
      {
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RATE_LIMIT_EXCEEDED',
            domain: 'googleapis.com',
            metadata: {
              quota_limit: `${Metric}RequestsPerMinutePer${per === 'user' ? 'User' : 'Project'}`,
              quota_metric: `sheets.googleapis.com/${kind}_requests`,
              service: 'sheets.googleapis.com',
              consumer: `projects/${project}`,
              quota_limit_value: String(limit),
              quota_location: 'global',
            },
          },
        ],
      },
    );
  }

  injectFaults(spec: GoogleFaultSpec = {}): void {
    this.faults.push({
      remaining: spec.count ?? 1,
      status: spec.status ?? 503,
      scope: spec.scope ?? 'sheets',
      method: spec.method?.toUpperCase(),
      pathIncludes: spec.pathIncludes,
      when: spec.when ?? 'before',
      ratio: faultRatio(spec.ratio),
      seen: 0,
    });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Consumes the first matching fault; returns its error and when it applies. */
  takeFault(
    area: 'sheets' | 'oauth',
    method: string,
    path: string,
  ): { error: HttpError; when: 'before' | 'after' } | undefined {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.scope === 'all' || f.scope === area) &&
        (f.method === undefined || f.method === method) &&
        (f.pathIncludes === undefined || decodeURIComponent(path).includes(f.pathIncludes)) &&
        firesNow(f),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    this.stats.faults += 1;
    return { error: this.faultError(fault.status, area), when: fault.when };
  }

  private faultError(status: number, area: 'sheets' | 'oauth'): HttpError {
    if (status === 502) {
      const page =
        '<!DOCTYPE html><html lang=en><title>Error 502 (Server Error)!!1</title><p><b>502.</b> That’s an error.</html>';
      return new HttpError(502, page, {}, true);
    }
    if (area === 'oauth') {
      const code =
        status === 503
          ? 'temporarily_unavailable'
          : status >= 500
            ? 'internal_failure'
            : 'invalid_request';
      return oauthError(status, code, 'Emulated fault');
    }
    if (status === 429)
      return this.quotaError('write', 'user', this.quota.writeRequestsPerMinutePerUser);
    const messages: Record<number, string> = {
      500: 'Internal error encountered.',
      503: 'The service is currently unavailable.',
      504: 'Deadline expired before operation could complete.',
    };
    return googleError(status, messages[status] ?? STATUS_CODES[status] ?? 'Error');
  }

  record(entry: GoogleRequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.shift();
  }

  counters(): GoogleCounters {
    return { ...this.stats, refreshTokensIssued: this.oauth.refreshTokensIssued };
  }

  requestLog(): GoogleRequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }
}
