import type { AppConfig } from '../../config/app-config';

export interface AccountCheckResult {
  displayName: string;
  account: Record<string, unknown> & { accountKey: string };
  credentials: Record<string, unknown>;
}

export interface AccountCheckContext {
  insecureHosts: readonly string[];
  config: AppConfig;
  pace?: (accountKey: string) => Promise<void>;
}

// Checked against the CRM before the connection is saved; an Error naming the field refuses it.
export type AccountCheck = (
  settings: Record<string, unknown>,
  credentials: Record<string, unknown>,
  ctx: AccountCheckContext,
) => Promise<AccountCheckResult>;
