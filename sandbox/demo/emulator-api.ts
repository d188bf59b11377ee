/**
 * What the sandbox's CRMs hold, read through each emulator's own API as the vendor's would be
 * read (a token from the emulator's control, then Sheets `values.get`, Bitrix24 `crm.deal.get`,
 * amoCRM `GET /api/v4/leads/{id}`): the demo prints it and the sandbox test checks it.
 */
import { emulator } from './hub-client';
import { SANDBOX_BITRIX24_PORTAL, SANDBOX_SHEET_NAME, SANDBOX_SPREADSHEET_ID } from './sandbox-env';
import type { SandboxUrls } from './sandbox-env';

async function api<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url.split('?')[0]}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** The "Payments" tab as rows of cells (header first), `values.get` with UNFORMATTED_VALUE. */
export async function sheetRows(urls: SandboxUrls): Promise<unknown[][]> {
  const { access_token: token } = await emulator<{ access_token: string }>(
    `${urls.google}/_emulator/tokens`,
    {},
  );
  const range = encodeURIComponent(`${SANDBOX_SHEET_NAME}!A1:Z`);
  const res = await api<{ values?: unknown[][] }>(
    `${urls.google}/v4/spreadsheets/${SANDBOX_SPREADSHEET_ID}/values/${range}?valueRenderOption=UNFORMATTED_VALUE`,
    { authorization: `Bearer ${token}` },
  );
  return res.values ?? [];
}

/** The row of one order, as header → cell. */
export async function sheetRow(
  urls: SandboxUrls,
  orderId: string,
): Promise<Record<string, unknown> | undefined> {
  const [header = [], ...rows] = await sheetRows(urls);
  const matches = rows.filter((r) => r[0] === orderId);
  if (matches.length > 1) throw new Error(`order ${orderId} has ${matches.length} sheet rows`);
  const row = matches[0];
  return row && Object.fromEntries(header.map((h, i) => [String(h), row[i] ?? '']));
}

export async function bitrixDeal(
  urls: SandboxUrls,
  dealId: string,
): Promise<Record<string, unknown>> {
  const tokens = await emulator<{ access_token: string; client_endpoint: string }>(
    `${urls.bitrix24}/_emulator/portals/${SANDBOX_BITRIX24_PORTAL}/tokens`,
    {},
  );
  const query = `id=${encodeURIComponent(dealId)}&auth=${encodeURIComponent(tokens.access_token)}`;
  const res = await api<{ result: Record<string, unknown> }>(
    `${tokens.client_endpoint}crm.deal.get.json?${query}`,
  );
  return res.result;
}

export async function amoLead(urls: SandboxUrls, leadId: string): Promise<Record<string, unknown>> {
  const { access_token: token } = await emulator<{ access_token: string }>(
    `${urls.amocrm}/_emulator/tokens`,
    {},
  );
  return api(`${urls.amocrm}/api/v4/leads/${encodeURIComponent(leadId)}`, {
    authorization: `Bearer ${token}`,
  });
}
