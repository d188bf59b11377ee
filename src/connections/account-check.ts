import type { AppConfig } from '../config/app-config';
import { checkAmocrmToken } from '../connectors/amocrm/amocrm.token-check';
import { checkBitrix24Webhook } from '../connectors/bitrix24/bitrix24.webhook-check';
import { checkGoogleServiceAccount } from '../connectors/google-sheets/service-account.check';

export interface AccountCheckResult {
  displayName: string;
  account: Record<string, unknown> & { accountKey: string };
  credentials: Record<string, unknown>;
}

export interface AccountCheckContext {
  insecureHosts: readonly string[];
  google: AppConfig['crm']['google'];
  /** Takes a token of the account's rate limit (shared with its deliveries) before a call. */
  pace?: (accountKey: string) => Promise<void>;
}

type Check = (
  settings: Record<string, unknown>,
  credentials: Record<string, unknown>,
  ctx: AccountCheckContext,
) => Promise<AccountCheckResult>;

/**
 * Non-OAuth modes of the CRMs, each checked against the CRM before a connection is saved.
 * Throwing an Error whose message names the field refuses the connection.
 */
export const ACCOUNT_CHECKS: Record<string, Record<string, Check>> = {
  bitrix24: { webhook: (_s, c, ctx) => checkBitrix24Webhook(c, ctx.insecureHosts, ctx.pace) },
  amocrm: { token: (s, c, ctx) => checkAmocrmToken(s, c, ctx.insecureHosts) },
  'google-sheets': { service_account: checkGoogleServiceAccount },
};
