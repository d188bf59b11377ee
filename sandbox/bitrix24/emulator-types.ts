import type { DealEventControls } from './event-controls';
/** Public types of the Bitrix24 emulator: options, controls and the running emulator. */
import type { FaultSpec } from './limits';
import type { OAuthCounters } from './oauth-store';
import type {
  CategoryOptions,
  DealRow,
  CommentRow,
  PortalCounters,
  PortalOptions,
  UserFieldOptions,
  WebhookOptions,
} from './portal-types';

export type AppStatus = 'L' | 'F' | 'D' | 'T' | 'P';

export interface Bitrix24EmulatorOptions {
  /** 0 or omitted: a free port. Always 127.0.0.1. */
  port?: number;
  /** Base URL printed in client_endpoint, domain and webhook URLs; default the listen URL. */
  publicUrl?: string;
  /** The one application the OAuth server knows. Defaults: `local.emulator.000001`, `emulator-secret`. */
  clientId?: string;
  clientSecret?: string;
  /** The app's handler URL (Bitrix24 takes it from the app settings); a `redirect_uri` query wins. */
  redirectUri?: string;
  /** Scope granted to the app; default `crm,user`. */
  scope?: string | string[];
  /** `status` in token answers and app.info; default `L` (local app). */
  appStatus?: AppStatus;
  /** Redirect from the authorize page at once instead of showing a consent page; default false. */
  autoApprove?: boolean;
  /** Defaults 3600, 180 days, 30. */
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  authCodeTtlSeconds?: number;
  /** Leaky bucket per portal: X = 50 and Y = 2/s by default (B24DOC:limits). */
  bucketCapacity?: number;
  bucketDrainPerSecond?: number;
  /** The 401 for an unknown or rotated-out token; default NO_AUTH_FOUND (system error table). */
  unknownTokenError?: 'NO_AUTH_FOUND' | 'invalid_token';
  /** Default one portal named `default`. The first portal is also served at the root. */
  portals?: PortalOptions[];
}

export interface WebhookInfo {
  portal: string;
  userId: number;
  code: string;
  scope: string[];
  /** `<portal base>/rest/<userId>/<code>/`: append the method name. */
  url: string;
}

export interface PortalInfo {
  name: string;
  /** What the OAuth redirect carries as `domain`: `127.0.0.1:<port>` or `127.0.0.1:<port>/p/<name>`. */
  domain: string;
  memberId: string;
  /** `http://127.0.0.1:<port>` or `http://127.0.0.1:<port>/p/<name>`. */
  baseUrl: string;
  /** `<baseUrl>/rest/`, as in token answers. */
  clientEndpoint: string;
  /** `<baseUrl>/oauth/authorize/`. */
  authorizeUrl: string;
  webhooks: WebhookInfo[];
  userFields: string[];
  categories: Array<{ id: number; name: string; stages: string[] }>;
}

/** The token endpoint's 200 body (A1). */
export interface TokenResponse {
  access_token: string;
  expires: number;
  expires_in: number;
  scope: string;
  domain: string;
  server_endpoint: string;
  status: AppStatus;
  client_endpoint: string;
  member_id: string;
  user_id: number;
  refresh_token: string;
}

export interface AuthorizeResult {
  code: string;
  /** The 302 target, when a redirect URI is known. */
  redirectUrl?: string;
  params: {
    code: string;
    state: string;
    domain: string;
    member_id: string;
    scope: string;
    server_domain: string;
  };
}

export interface Bitrix24Counters extends PortalCounters {
  oauth: OAuthCounters;
}

export interface PortalScoped {
  /** Portal name; default the first portal. */
  portal?: string;
}

export interface Bitrix24Emulator extends DealEventControls {
  readonly url: string;
  readonly port: number;
  /** The value for BITRIX24_OAUTH_SERVER (the emulator's base URL). */
  readonly oauthServerUrl: string;
  close(): Promise<void>;

  portal(name?: string): PortalInfo;
  listPortals(): PortalInfo[];
  createPortal(options: PortalOptions): PortalInfo;
  createWebhook(options?: WebhookOptions & PortalScoped): WebhookInfo;
  /** Returns the full field name, `UF_CRM_...`. */
  addUserField(options: UserFieldOptions & PortalScoped): string;
  addCategory(options: CategoryOptions & PortalScoped): PortalInfo['categories'][number];

  /** Seeds a deal as if crm.deal.add had been called by `userId` (default the first user). */
  createDeal(
    fields: Record<string, unknown>,
    options?: PortalScoped & { userId?: number },
  ): DealRow;
  getDeal(id: number, options?: PortalScoped): DealRow | undefined;
  listDeals(options?: PortalScoped): DealRow[];
  listComments(options?: PortalScoped & { entityId?: number }): CommentRow[];

  /** What the consent page does on "Allow", without HTTP. */
  authorize(
    options?: PortalScoped & { userId?: number; state?: string; redirectUri?: string },
  ): AuthorizeResult;
  /** A fresh token pair without the OAuth dance. */
  issueTokens(options?: PortalScoped & { userId?: number }): TokenResponse;
  /** Expires one access token now, or every one (of a portal); returns how many. */
  expireAccessToken(token?: string, options?: PortalScoped): number;
  revokeRefreshToken(token: string): boolean;
  /** Forgets every code and token of the portal (as if the app were reinstalled). */
  revokePortalTokens(options?: PortalScoped): number;
  setAutoApprove(enabled: boolean): void;
  /**
   * Runs after a REST call has taken effect and before its answer is sent (e.g. to kill the
   * caller in between); no hook: answer at once.
   */
  setBeforeRespond(
    hook?: (info: {
      method: string;
      portal: string;
      params: Record<string, unknown>;
    }) => Promise<void> | void,
  ): void;

  injectFault(fault: FaultSpec): void;
  pendingFaults(): FaultSpec[];
  clearFaults(): void;
  /** Sets the leaky-bucket counter, e.g. to the capacity to get 503 on the next call. */
  setBucketLevel(level: number, options?: PortalScoped): void;
  bucketLevel(options?: PortalScoped): number;
  /** REST counters of one portal (all portals when `portal` is omitted) plus OAuth counters. */
  counters(options?: PortalScoped): Bitrix24Counters;
  /** Moves the emulator clock forward: codes, tokens and the bucket see the time pass. */
  advanceClock(ms: number): void;
  /** Drops data, tokens, faults, counters and the clock offset; `config: true` also drops portals,
   * webhooks, user fields and categories added after start. */
  reset(options?: { config?: boolean }): void;
}
