/** Portal configuration (options) and the records a portal keeps. */

export type StageSemantics = 'P' | 'S' | 'F';
export type UserFieldType =
  'string' | 'integer' | 'double' | 'boolean' | 'date' | 'datetime' | 'url';

export interface StageOptions {
  /** `NEW`, `UC_PAID`...; pipelines other than 0 get the `C<n>:` prefix added when missing. */
  statusId: string;
  name: string;
  sort?: number;
  /** P in progress (default), S success, F failure. */
  semantics?: StageSemantics;
  color?: string;
}

export interface CategoryOptions {
  id?: number;
  name: string;
  sort?: number;
  /** Default: the eight stages of the general pipeline, prefixed. WON/LOSE are added if no S/F. */
  stages?: StageOptions[];
}

export interface UserFieldOptions {
  /** `PAYMENT_ID` or `UF_CRM_PAYMENT_ID`; the `UF_CRM_` prefix is added when missing. */
  fieldName: string;
  userTypeId?: UserFieldType;
  mandatory?: boolean;
  multiple?: boolean;
  label?: string;
}

export interface WebhookOptions {
  userId?: number;
  code?: string;
  /** Default `crm,user`. */
  scope?: string[] | string;
  /** After this instant calls get 401 NO_AUTH_FOUND. */
  expiresAt?: Date | string | number;
}

export interface PortalUserOptions {
  id: number;
  name?: string;
  lastName?: string;
  email?: string;
  admin?: boolean;
}

export interface PortalOptions {
  /** Slug `[a-z0-9-]+`; the first portal is also served at the emulator root. */
  name: string;
  memberId?: string;
  users?: PortalUserOptions[];
  userFields?: UserFieldOptions[];
  categories?: CategoryOptions[];
  webhooks?: WebhookOptions[];
  /** Accepted CURRENCY_ID values; default AMD, USD, EUR, RUB, KZT, BYN, UAH. */
  currencies?: string[];
  /** CURRENCY_ID of deals created without one; default USD. */
  baseCurrency?: string;
}

export interface Stage {
  rowId: number;
  statusId: string;
  name: string;
  sort: number;
  semantics: StageSemantics;
  extraSemantics: 'process' | 'success' | 'failure' | 'apology';
  color: string;
  system: boolean;
}

export interface Category {
  id: number;
  name: string;
  sort: number;
  createdDate: string;
  stages: Stage[];
}

export interface UserField {
  id: number;
  fieldName: string;
  userTypeId: UserFieldType;
  mandatory: boolean;
  multiple: boolean;
  label: string;
}

export interface Webhook {
  userId: number;
  code: string;
  scope: string[];
  expiresAt?: number;
}

export interface PortalUser {
  id: number;
  name: string;
  lastName: string;
  email: string;
  admin: boolean;
}

export interface StatusItem {
  rowId: number;
  entityId: string;
  statusId: string;
  name: string;
  sort: number;
}

/** Stored exactly as Bitrix24 prints it: strings, `null` for empty links, arrays for multiple. */
export type DealRow = Record<string, unknown>;
export type CommentRow = Record<string, unknown>;

export interface PortalCounters {
  /** REST HTTP requests that reached the portal (a batch is one). */
  requests: number;
  /** Answered 503 QUERY_LIMIT_EXCEEDED by the leaky bucket. */
  rejectedByBucket: number;
  /** Answered with an injected fault (top level or inside a batch). */
  faultsInjected: number;
  /** Answered 401 (unknown, expired or revoked token, bad webhook). */
  authFailures: number;
  batchSubCalls: number;
  /** Method calls by name, batch sub-calls included. */
  byMethod: Record<string, number>;
}
