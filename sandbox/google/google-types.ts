/** Public types of the Google OAuth 2.0 + Sheets API v4 emulator. */
import type { KeyObject } from 'node:crypto';
import type { CellValue } from './sheet-model';

export type { CellValue } from './sheet-model';

export interface GoogleClientInput {
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs; empty or omitted = any URI is accepted. */
  redirectUris?: string[];
}

export interface GoogleApproveOptions {
  /** The Google account that consents; default the signed-in user. */
  email?: string;
  /** Answer `error=access_denied`. */
  deny?: boolean;
  /** Granular consent: grant only these of the requested scopes. */
  grantedScopes?: string[];
}

export interface ServiceAccountInput {
  clientEmail: string;
  /** PEM (SPKI or PKCS#1) or a KeyObject: the public half of the key the JWT is signed with. */
  publicKey: string | KeyObject;
  /** When set, a JWT whose header has another `kid` is rejected. */
  privateKeyId?: string;
  /** Allow `sub` (impersonating a user); default false. */
  domainWideDelegation?: boolean;
}

export interface GoogleTokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  scope?: string;
  token_type: 'Bearer';
  id_token?: string;
}

export interface AuthorizeInput {
  clientId?: string;
  redirectUri?: string;
  scope: string | string[];
  accessType?: 'online' | 'offline';
  prompt?: string;
  state?: string;
  includeGrantedScopes?: boolean;
  email?: string;
  grantedScopes?: string[];
}

export interface IssueTokensInput {
  clientId?: string;
  email?: string;
  scopes?: string[];
  /** Include a refresh token; default true. */
  offline?: boolean;
}

export interface GoogleTokenSummary {
  kind: 'access' | 'refresh';
  token: string;
  clientId?: string;
  email: string;
  scopes: string[];
  expiresAt?: number;
  state: 'active' | 'expired' | 'revoked';
}

export interface SheetInput {
  title: string;
  sheetId?: number;
  /** Written to row 1. */
  header?: CellValue[];
  /** Written after the header (or from row 1). */
  rows?: Array<Array<CellValue | null>>;
  rowCount?: number;
  columnCount?: number;
  frozenRowCount?: number;
}

export interface SpreadsheetInput {
  spreadsheetId?: string;
  title?: string;
  /** Default one sheet, `Sheet1`. */
  sheets?: SheetInput[];
  /** E-mails that may use it (owner and shares); default any authenticated caller. */
  sharedWith?: string[];
  locale?: string;
  timeZone?: string;
}

export interface SpreadsheetSummary {
  spreadsheetId: string;
  title: string;
  sheets: Array<{ sheetId: number; title: string; rowCount: number; columnCount: number }>;
}

export interface QuotaLimits {
  readRequestsPerMinutePerUser: number;
  writeRequestsPerMinutePerUser: number;
  readRequestsPerMinutePerProject: number;
  writeRequestsPerMinutePerProject: number;
}

export type GoogleFaultScope = 'sheets' | 'oauth' | 'all';

export interface GoogleFaultSpec {
  count?: number;
  /** Default 503. 429 gives the RESOURCE_EXHAUSTED body, 502 an HTML page. */
  status?: number;
  scope?: GoogleFaultScope;
  method?: string;
  pathIncludes?: string;
  /**
   * `after`: perform the request, then answer the error (a write that happened but whose answer
   * was lost). Default `before`: fail without side effects.
   */
  when?: 'before' | 'after';
  /** Share of matching requests that fail, spread evenly (0.5: every other); default 1. */
  ratio?: number;
}

export interface GoogleCounters {
  requests: number;
  sheetsRequests: number;
  readRequests: number;
  writeRequests: number;
  tokenRequests: number;
  authorizationCodeGrants: number;
  refreshTokenGrants: number;
  jwtBearerGrants: number;
  tokenErrors: number;
  refreshTokensIssued: number;
  unauthorized: number;
  forbidden: number;
  quotaExceeded: number;
  faults: number;
  appends: number;
  updates: number;
  cellsWritten: number;
}

export interface GoogleRequestLogEntry {
  at: number;
  method: string;
  path: string;
  /** The query string, `?` included (empty when none). */
  query?: string;
  status: number;
  email?: string;
}

export interface GoogleEmulatorOptions {
  /** Port on 127.0.0.1; 0 or omitted = a free port. */
  port?: number;
  /** The default OAuth client; add more with registerClient(). */
  client?: Partial<GoogleClientInput>;
  /** The signed-in Google user on the consent page; default `user@example.com`. */
  userEmail?: string;
  /** Default 3599. */
  accessTokenTtlSec?: number;
  /** Default 600. */
  codeTtlSec?: number;
  /** Refresh-token lifetime; unset = no expiry. 604800 models an app in "Testing" status. */
  refreshTokenTtlSec?: number;
  /** Live refresh tokens per client per user before the oldest is dropped; default 100. */
  maxRefreshTokensPerUser?: number;
  quota?: Partial<QuotaLimits>;
  projectNumber?: string;
  autoApprove?: boolean | GoogleApproveOptions;
}

export interface GoogleEmulator {
  readonly url: string;
  readonly port: number;
  /** `<url>/o/oauth2/v2/auth`, `<url>/token`, `<url>` (Sheets rootUrl), `<url>/revoke`, ... */
  readonly endpoints: GoogleEndpoints;
  close(): Promise<void>;

  registerClient(input: GoogleClientInput): void;
  setSignedInUser(email: string): void;
  setAutoApprove(value: boolean | GoogleApproveOptions): void;
  /** Consent without the browser: returns the code and the redirect URL. */
  authorize(input: AuthorizeInput): { code?: string; redirectUrl: string };
  /** Tokens without any OAuth round trip. */
  issueTokens(input?: IssueTokensInput): GoogleTokenResponse;
  registerServiceAccount(input: ServiceAccountInput): void;
  revokeRefreshToken(token?: string): number;
  expireAccessToken(token?: string): number;
  tokens(): GoogleTokenSummary[];
  advanceClock(seconds: number): void;

  createSpreadsheet(input?: SpreadsheetInput): SpreadsheetSummary;
  listSpreadsheets(): SpreadsheetSummary[];
  shareSpreadsheet(spreadsheetId: string, email: string): void;
  /** Stored values (unformatted), trailing empties trimmed; range default the first sheet. */
  readCells(spreadsheetId: string, range?: string): CellValue[][];
  /** Writes as a human would (USER_ENTERED, no quota, no auth). */
  setCells(spreadsheetId: string, range: string, values: Array<Array<CellValue | null>>): void;
  /** A human inserting empty rows before 1-based `beforeRow`. */
  insertRows(spreadsheetId: string, sheetTitle: string, beforeRow: number, count?: number): void;
  /** A human sorting rows `fromRow` (1-based, default 2) to the end by a column (`"A"`). */
  sortRows(
    spreadsheetId: string,
    sheetTitle: string,
    input: { column: string; fromRow?: number; descending?: boolean },
  ): void;

  setQuota(limits: Partial<QuotaLimits>): void;
  /**
   * Runs after a Sheets request did its work and before the answer is sent (a client killed
   * at that moment never hears it); `method` is the API method, e.g. `AppendValues`.
   */
  setBeforeRespond(hook?: (info: { method: string; spreadsheetId?: string }) => unknown): void;
  injectFaults(spec?: GoogleFaultSpec): void;
  clearFaults(): void;
  counters(): GoogleCounters;
  requestLog(): GoogleRequestLogEntry[];
  reset(): void;
}

export interface GoogleEndpoints {
  authorize: string;
  token: string;
  revoke: string;
  tokenInfo: string;
  userInfo: string;
  certs: string;
  sheetsRootUrl: string;
}
