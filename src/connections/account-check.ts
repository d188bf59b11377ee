import { checkAmocrmToken } from '../connectors/amocrm/amocrm.token-check';
import { checkBitrix24Webhook } from '../connectors/bitrix24/bitrix24.webhook-check';

export interface AccountCheckResult {
  displayName: string;
  account: Record<string, unknown> & { accountKey: string };
  credentials: Record<string, unknown>;
}

type Check = (
  settings: Record<string, unknown>,
  credentials: Record<string, unknown>,
  insecureHosts: readonly string[],
) => Promise<AccountCheckResult>;

/**
 * Non-OAuth modes of the CRMs, each checked against the CRM before a connection is saved.
 * Throwing an Error whose message names the field refuses the connection.
 */
export const ACCOUNT_CHECKS: Record<string, Record<string, Check>> = {
  bitrix24: { webhook: (_s, c, hosts) => checkBitrix24Webhook(c, hosts) },
  amocrm: { token: (s, c, hosts) => checkAmocrmToken(s, c, hosts) },
};
