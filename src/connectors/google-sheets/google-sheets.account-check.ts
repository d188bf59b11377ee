import { isAxiosError } from 'axios';
import { createHttpClient } from '../../common/http-client';
import type { AccountCheckContext, AccountCheckResult } from '../shared/account-check';
import { ServiceAccountKey, serviceAccountToken } from './google-sheets.service-account';

export async function checkGoogleServiceAccount(
  settings: Record<string, unknown>,
  credentials: Record<string, unknown>,
  ctx: AccountCheckContext,
): Promise<AccountCheckResult> {
  const key = credentials.serviceAccountKey as Partial<ServiceAccountKey> | undefined;
  if (!key || typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw new Error(
      'credentials.serviceAccountKey: the JSON key with client_email and private_key is required',
    );
  }
  const spreadsheetId = typeof settings.spreadsheetId === 'string' ? settings.spreadsheetId : '';
  if (!/^[A-Za-z0-9_-]{10,100}$/.test(spreadsheetId)) {
    throw new Error('settings.spreadsheetId: a Google spreadsheet id is required');
  }
  let token: string;
  try {
    token = (await serviceAccountToken(key as ServiceAccountKey, ctx.config.crm.google.tokenUrl))
      .accessToken;
  } catch (err) {
    throw new Error(`credentials.serviceAccountKey: Google refused it (${(err as Error).message})`);
  }
  // The bucket its deliveries will use (Google's quota is per user, see quotaKey below).
  await ctx.pace?.(key.client_email);
  const http = createHttpClient({
    baseURL: ctx.config.crm.google.sheetsApiUrl,
    timeoutMs: 15000,
    headers: { authorization: `Bearer ${token}` },
  });
  let title: string | undefined;
  try {
    const res = await http.get<{ properties?: { title?: string } }>(
      `/v4/spreadsheets/${encodeURIComponent(spreadsheetId)}`,
      { params: { fields: 'properties.title' } },
    );
    title = res.data.properties?.title;
  } catch (err) {
    const status = isAxiosError(err) ? err.response?.status : undefined;
    const message = isAxiosError(err)
      ? (err.response?.data as { error?: { message?: string } } | undefined)?.error?.message
      : undefined;
    throw new Error(
      `settings.spreadsheetId: Google refused access (${status ?? 'no answer'}${message ? `: ${message}` : ''}); share the sheet with ${key.client_email}`,
    );
  }
  return {
    displayName: `Google Sheets ${title ?? spreadsheetId}`,
    account: {
      accountKey: `${key.client_email}/${spreadsheetId}`,
      // Sheets counts requests per user per project: all sheets of one key share a bucket.
      quotaKey: key.client_email,
      email: key.client_email,
      spreadsheetId,
      title: title ?? null,
    },
    credentials: {
      serviceAccountKey: {
        client_email: key.client_email,
        private_key: key.private_key,
        private_key_id: key.private_key_id,
      },
    },
  };
}
