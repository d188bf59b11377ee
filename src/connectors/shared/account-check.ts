import type { AppConfig } from '../../config/app-config';

export interface AccountCheckResult {
  displayName: string;
  account: Record<string, unknown> & { accountKey: string };
  credentials: Record<string, unknown>;
}

export interface AccountCheckContext {
  insecureHosts: readonly string[];
  config: AppConfig;
  /** Takes a token of the account's rate limit (shared with its deliveries) before a call. */
  pace?: (accountKey: string) => Promise<void>;
}

/**
 * A non-OAuth mode of a CRM (incoming-webhook URL, long-lived token, service account), checked
 * against the CRM before the connection is saved. An Error whose message names the field
 * refuses the connection.
 */
export type AccountCheck = (
  settings: Record<string, unknown>,
  credentials: Record<string, unknown>,
  ctx: AccountCheckContext,
) => Promise<AccountCheckResult>;
