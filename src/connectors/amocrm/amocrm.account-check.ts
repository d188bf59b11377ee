import { isAxiosError } from 'axios';
import { createHttpClient } from '../../common/http-client';
import { hostOf, isTrustedProviderHost, schemeFor } from '../../common/url-policy';
import { ACCOUNT_DOMAINS } from './amocrm.oauth';
import type { AccountCheckResult } from '../shared/account-check';

export async function checkAmocrmToken(
  settings: Record<string, unknown>,
  credentials: Record<string, unknown>,
  insecureHosts: readonly string[],
): Promise<AccountCheckResult> {
  const host = typeof settings.host === 'string' ? settings.host.trim().toLowerCase() : '';
  if (!host || host.includes('/') || !isTrustedProviderHost(host, ACCOUNT_DOMAINS, insecureHosts)) {
    throw new Error(
      'settings.host: must be the account host, e.g. shop.amocrm.ru or shop.kommo.com',
    );
  }
  const token = typeof credentials.token === 'string' ? credentials.token.trim() : '';
  if (!token) throw new Error('credentials.token: the long-lived token is required');
  const baseUrl = `${schemeFor(host, insecureHosts)}://${host}`;
  const http = createHttpClient({
    baseURL: baseUrl,
    timeoutMs: 15000,
    headers: { authorization: `Bearer ${token}` },
  });
  let account: { id?: number; name?: string };
  try {
    account = (await http.get<{ id?: number; name?: string }>('/api/v4/account')).data;
  } catch (err) {
    const status = isAxiosError(err) ? err.response?.status : undefined;
    const detail = isAxiosError(err)
      ? (err.response?.data as { detail?: string; title?: string } | undefined)
      : undefined;
    const reason = detail?.detail ?? detail?.title ?? (err as Error).message;
    throw new Error(`credentials.token: amoCRM refused it (${status ?? 'no answer'}: ${reason})`);
  }
  return {
    displayName: `amoCRM ${account.name ?? hostOf(host)}`,
    account: {
      accountKey: host,
      host,
      baseUrl,
      accountId: account.id ?? null,
      name: account.name ?? null,
    },
    credentials: { token },
  };
}
