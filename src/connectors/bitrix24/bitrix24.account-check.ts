import { isAxiosError } from 'axios';
import { createHttpClient } from '../../common/http-client';
import { hostOf, isTrustedProviderHost } from '../../common/url-policy';
import { PORTAL_DOMAINS } from './bitrix24.oauth';
import type { AccountCheckResult } from '../shared/account-check';

// The URL is a secret (anyone holding it acts as that user), so it is stored as a credential.
export async function checkBitrix24Webhook(
  credentials: Record<string, unknown>,
  insecureHosts: readonly string[],
  pace?: (accountKey: string) => Promise<void>,
): Promise<AccountCheckResult> {
  const raw = typeof credentials.webhookUrl === 'string' ? credentials.webhookUrl.trim() : '';
  let url: URL;
  try {
    url = new URL(raw.endsWith('/') ? raw : `${raw}/`);
  } catch {
    throw new Error('credentials.webhookUrl: must be the incoming-webhook URL of the portal');
  }
  const match = /^(\/[\w/-]*?)?\/rest\/(\d+)\/([A-Za-z0-9_]+)\/$/.exec(url.pathname);
  const domain = `${url.host}${match?.[1] ?? ''}`.toLowerCase();
  if (!match || url.search || url.hash) {
    throw new Error(
      'credentials.webhookUrl: must look like https://<portal>/rest/<user id>/<code>/',
    );
  }
  const secure = url.protocol === 'https:';
  if (
    !isTrustedProviderHost(domain, PORTAL_DOMAINS, insecureHosts) ||
    (!secure && !insecureHosts.includes(hostOf(domain)))
  ) {
    throw new Error(
      `credentials.webhookUrl: ${url.host} is not a Bitrix24 portal reachable over https`,
    );
  }
  const http = createHttpClient({ baseURL: url.toString(), timeoutMs: 15000 });
  await pace?.(domain);
  try {
    await http.post('crm.deal.fields.json', {});
  } catch (err) {
    const body = isAxiosError(err)
      ? (err.response?.data as { error?: string; error_description?: string })
      : undefined;
    const reason = body?.error
      ? `${body.error}${body.error_description ? `: ${body.error_description}` : ''}`
      : (err as Error).message;
    throw new Error(`credentials.webhookUrl: Bitrix24 refused it (${reason})`);
  }
  return {
    displayName: `Bitrix24 ${url.host} (webhook)`,
    account: {
      accountKey: domain,
      domain,
      userId: match[2],
      clientEndpoint: `${url.origin}${match[1] ?? ''}/rest/`,
    },
    credentials: {
      webhookUrl: url.toString(),
      // The outgoing webhook's token, for payment-link triggers (checked on every event).
      ...(typeof credentials.applicationToken === 'string' && credentials.applicationToken
        ? { applicationToken: credentials.applicationToken.trim() }
        : {}),
    },
  };
}
