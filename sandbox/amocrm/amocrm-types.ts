/**
 * Public types of the amoCRM/Kommo emulator. CRM entities use amoCRM's own wire names (snake_case),
 * so what a control returns compares directly with what the API returns.
 */

export interface AmoIntegrationInput {
  clientId: string;
  clientSecret: string;
  /** The Redirect URI from the integration settings; the consent page redirects there. */
  redirectUri: string;
  name?: string;
}

export interface AmoUser {
  id: number;
  name: string;
  email: string;
}

export interface AmoAccountInput {
  id?: number;
  name?: string;
  subdomain?: string;
  currency?: string;
  currency_symbol?: string;
  country?: string;
  users?: AmoUser[];
  /** The user the API acts as (`current_user_id`, default responsible user); default the first. */
  current_user_id?: number;
}

export interface AmoAccount {
  id: number;
  name: string;
  subdomain: string;
  currency: string;
  currency_symbol: string;
  country: string;
  current_user_id: number;
  created_at: number;
  users: AmoUser[];
}

export interface AmoStatus {
  id: number;
  name: string;
  sort: number;
  is_editable: boolean;
  pipeline_id: number;
  color: string;
  /** 1 = "unsorted" (incoming leads), 0 = a regular stage. */
  type: 0 | 1;
}

export interface AmoPipeline {
  id: number;
  name: string;
  sort: number;
  is_main: boolean;
  is_unsorted_on: boolean;
  is_archive: boolean;
  statuses: AmoStatus[];
}

export interface AmoPipelineInput {
  id?: number;
  name: string;
  is_main?: boolean;
  /** Open stages; won (142) and lost (143) are always appended. */
  statuses?: Array<{ id?: number; name: string; color?: string }>;
}

export type AmoCustomFieldType =
  | 'text'
  | 'textarea'
  | 'numeric'
  | 'price'
  | 'checkbox'
  | 'select'
  | 'multiselect'
  | 'radiobutton'
  | 'date'
  | 'date_time'
  | 'birthday'
  | 'url'
  | 'streetaddress'
  | 'tracking_data';

export interface AmoEnum {
  id: number;
  value: string;
  sort: number;
}

export interface AmoCustomField {
  id: number;
  name: string;
  type: AmoCustomFieldType;
  code: string | null;
  sort: number;
  is_api_only: boolean;
  enums: AmoEnum[] | null;
}

export interface AmoCustomFieldInput {
  id?: number;
  name: string;
  type: AmoCustomFieldType;
  code?: string | null;
  sort?: number;
  is_api_only?: boolean;
  enums?: Array<{ id?: number; value: string; sort?: number }>;
}

export interface AmoFieldValue {
  value?: string | number | boolean;
  enum_id?: number;
  enum_code?: string | null;
}

export interface AmoLeadFieldValues {
  field_id: number;
  field_name: string;
  field_code: string | null;
  field_type: AmoCustomFieldType;
  values: AmoFieldValue[];
}

export interface AmoTag {
  id: number;
  name: string;
  color: string | null;
}

export interface AmoLead {
  id: number;
  name: string;
  price: number;
  responsible_user_id: number;
  group_id: number;
  status_id: number;
  pipeline_id: number;
  loss_reason_id: number | null;
  source_id: number | null;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  closest_task_at: number | null;
  is_deleted: boolean;
  custom_fields_values: AmoLeadFieldValues[] | null;
  score: number | null;
  account_id: number;
  labor_cost: number | null;
  is_price_modified_by_robot: boolean;
  /** Served as `_embedded.tags`. */
  tags: AmoTag[];
}

export interface AmoNote {
  id: number;
  entity_id: number;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  responsible_user_id: number;
  group_id: number;
  note_type: string;
  params: Record<string, unknown>;
  account_id: number;
  is_need_to_trigger_digital_pipeline: boolean;
}

/** Where an injected fault applies: the CRM API, the OAuth endpoints, or every route but controls. */
export type AmoFaultScope = 'api' | 'oauth' | 'all';

export interface AmoFaultSpec {
  /** How many matching requests fail; default 1. */
  count?: number;
  /** 403 gives the nginx HTML block page, 429 the non-JSON rate-limit body; default 500. */
  status?: number;
  scope?: AmoFaultScope;
  /** Only requests with this method. */
  method?: string;
  /** Only requests whose path contains this. */
  pathIncludes?: string;
  /** Share of matching requests that fail, spread evenly (0.5: every other); default 1. */
  ratio?: number;
}

export interface AmoApproveOptions {
  /** Send `error=access_denied` instead of a code. */
  deny?: boolean;
  /** Override the `referer` parameter (default: the emulator's own host:port). */
  referer?: string;
  /** Model a widget install: `from_widget=1` and no `state`. */
  fromWidget?: boolean;
}

export interface AmoIssuedTokens {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  refresh_token: string;
  server_time?: number;
}

export interface AmoTokenSummary {
  kind: 'access' | 'refresh' | 'long_lived';
  token: string;
  clientId: string;
  issuedAt: number;
  expiresAt: number;
  /** active, expired, used (a spent refresh token), or revoked. */
  state: 'active' | 'expired' | 'used' | 'revoked';
}

export interface AmocrmCounters {
  requests: number;
  apiRequests: number;
  tokenRequests: number;
  authorizationCodeGrants: number;
  refreshTokenGrants: number;
  tokenErrors: number;
  unauthorized: number;
  rateLimited: number;
  blocked: number;
  faults: number;
  validationErrors: number;
  leadsCreated: number;
  leadsUpdated: number;
  notesCreated: number;
}

export interface AmoRequestLogEntry {
  at: number;
  method: string;
  path: string;
  status: number;
  clientId?: string;
}

export interface AmocrmEmulatorOptions {
  /** Port on 127.0.0.1; 0 or omitted = a free port. */
  port?: number;
  /** The default integration; add more with registerIntegration(). */
  integration?: Partial<AmoIntegrationInput>;
  account?: AmoAccountInput;
  /** `kommo` adds `server_time` to token responses. Default `amocrm`. */
  flavor?: 'amocrm' | 'kommo';
  /** Access token lifetime; default 86400. */
  accessTokenTtlSec?: number;
  /** Refresh token lifetime; default 90 days. */
  refreshTokenTtlSec?: number;
  /** Authorization code lifetime; default 1200 (20 min). */
  codeTtlSec?: number;
  /** Whether a refresh revokes the access token issued with the old refresh token; default true. */
  revokeAccessOnRefresh?: boolean;
  /** Requests per second per integration on /api/v4; default 7; 0 turns the limit off. */
  rateLimitPerSecond?: number;
  /** After this many 429s the account is blocked (403 HTML everywhere); default off. */
  blockAfterRateLimitViolations?: number;
  /** `ignored` models accounts without the alpha custom-field filter; default `supported`. */
  customFieldFilter?: 'supported' | 'ignored';
  /** Skip the consent page and redirect at once; default false. */
  autoApprove?: boolean | AmoApproveOptions;
}

export interface AmocrmEmulator {
  readonly url: string;
  readonly port: number;
  /** `127.0.0.1:<port>`, sent as `referer`: the account's host. */
  readonly host: string;
  close(): Promise<void>;

  registerIntegration(input: AmoIntegrationInput): void;
  setAutoApprove(value: boolean | AmoApproveOptions): void;
  /** Issues a code as the consent page would; returns it and the redirect URL. */
  authorize(clientId?: string, state?: string, options?: AmoApproveOptions): AuthorizeResult;
  issueTokens(clientId?: string): AmoIssuedTokens;
  issueLongLivedToken(options?: { clientId?: string; ttlSec?: number }): string;
  revokeLongLivedToken(token: string): boolean;
  /** Expires one access token (or every access token) now. */
  expireAccessToken(token?: string): number;
  /** Revokes one refresh token (or every refresh token). */
  revokeRefreshToken(token?: string): number;
  tokens(): AmoTokenSummary[];
  advanceClock(seconds: number): void;

  createAccount(input?: AmoAccountInput): AmoAccount;
  getAccount(): AmoAccount;
  createPipeline(input: AmoPipelineInput): AmoPipeline;
  listPipelines(): AmoPipeline[];
  createCustomField(input: AmoCustomFieldInput): AmoCustomField;
  listCustomFields(): AmoCustomField[];
  /** Creates a lead as POST /api/v4/leads would (same validation); throws HttpError on 400. */
  createLead(input: Record<string, unknown>): AmoLead;
  getLead(id: number): AmoLead | undefined;
  listLeads(): AmoLead[];
  listNotes(leadId?: number): AmoNote[];

  injectFaults(spec?: AmoFaultSpec): void;
  clearFaults(): void;
  setBlocked(blocked: boolean): void;
  setRateLimit(perSecond: number): void;
  /** Leads written from now on reach `query` search results `ms` later (0, the default: at once). */
  setSearchLag(ms: number): void;
  /** Runs before an API request is handled (after auth and rate limit); tests use it to crash a client. */
  setBeforeHandle(hook?: (info: { method: string; path: string }) => Promise<void> | void): void;
  counters(): AmocrmCounters;
  requestLog(): AmoRequestLogEntry[];
  /** Back to the start options: account, data, tokens, faults, counters and clock. */
  reset(): void;
}

export interface AuthorizeResult {
  code?: string;
  redirectUrl: string;
}
