/**
 * Run by `npm run hub` in sandbox mode once the hub is ready: one connection of each CRM through
 * its real OAuth flow (a reconnect on a restart: the hub keys accounts by their identity), the
 * mappings, the spreadsheet and its sheet settings, and a small product catalog (created once, by
 * name). Every step can run again: a restart finds what exists and changes nothing else.
 */
import { emulator, HubClient } from './hub-client';
import {
  loadSandboxEnv,
  SANDBOX_BITRIX24_PORTAL,
  SANDBOX_SHEET_NAME,
  SANDBOX_SPREADSHEET_ID,
  sandboxUrls,
  type SandboxUrls,
} from './sandbox-env';

interface Connection {
  id: string;
  type: string;
  status: string;
  account: Record<string, unknown>;
  settings: Record<string, unknown>;
}

export const CATALOG = [
  { name: 'Sandbox T-shirt', amountMinor: 850000, description: 'Cotton T-shirt, size M' },
  { name: 'Sandbox mug', amountMinor: 350000, description: 'Ceramic mug, 350 ml' },
  { name: 'Sandbox gift card', amountMinor: 2000000, description: 'Gift card 20 000 AMD' },
];

export const MAPPINGS: Record<string, Record<string, unknown>> = {
  // Paid closes the deal in its pipeline's won stage; other statuses add a timeline comment.
  bitrix24: { stages: { paid: 'WON' } },
  // Paid moves the lead to won (142); a refund is a note, the sale stays won.
  amocrm: { statuses: { paid: { statusId: 142 }, refunded: null, partially_refunded: null } },
  // One row per order on the "Payments" tab, English headers.
  'google-sheets': {
    spreadsheetId: SANDBOX_SPREADSHEET_ID,
    sheetName: SANDBOX_SHEET_NAME,
    language: 'en',
  },
};

interface SpreadsheetSummary {
  spreadsheetId: string;
  title: string;
  sheets: { title: string }[];
}

/**
 * The spreadsheet a user would have made in Google Sheets: found when the emulator has it,
 * created (through the emulator's control, as a person would in the browser) when it does not.
 */
async function ensureSpreadsheet(urls: SandboxUrls): Promise<SpreadsheetSummary> {
  const all = await emulator<SpreadsheetSummary[]>(`${urls.google}/_emulator/spreadsheets`);
  const found = all.find((s) => s.spreadsheetId === SANDBOX_SPREADSHEET_ID);
  const sheet =
    found ??
    (await emulator<SpreadsheetSummary>(`${urls.google}/_emulator/spreadsheets`, {
      spreadsheetId: SANDBOX_SPREADSHEET_ID,
      title: 'Sandbox payments',
      sheets: [{ title: SANDBOX_SHEET_NAME }],
    }));
  if (!sheet.sheets.some((t) => t.title === SANDBOX_SHEET_NAME)) {
    throw new Error(`spreadsheet ${SANDBOX_SPREADSHEET_ID} has no "${SANDBOX_SHEET_NAME}" tab`);
  }
  console.log(`    google-sheets: spreadsheet "${sheet.title}" ${found ? 'found' : 'created'}`);
  return sheet;
}

async function connectAll(hub: HubClient, urls: SandboxUrls): Promise<Connection[]> {
  const portal = new URL(urls.bitrix24).host;
  const starts: [string, string][] = [
    ['bitrix24', `/api/connections/oauth/bitrix24/start?portal=${encodeURIComponent(portal)}`],
    ['amocrm', '/api/connections/oauth/amocrm/start'],
    [
      'google-sheets',
      `/api/connections/oauth/google/start?spreadsheetId=${SANDBOX_SPREADSHEET_ID}`,
    ],
  ];
  for (const [type, path] of starts) {
    await hub.connect(path);
    console.log(`    ${type}: connected through OAuth`);
  }
  return hub.call<Connection[]>('GET', '/api/connections');
}

/** Saved through the admin API, so the hub checks each against its account (the sheet: its tab). */
async function setMappings(hub: HubClient, connections: Connection[]): Promise<void> {
  for (const [type, settings] of Object.entries(MAPPINGS)) {
    const conn = connections.find((c) => c.type === type);
    if (!conn) throw new Error(`no ${type} connection after OAuth`);
    await hub.call('PATCH', `/api/connections/${conn.id}`, { settings });
    console.log(`    ${type}: settings ${JSON.stringify(settings)}`);
  }
}

async function ensureCatalog(hub: HubClient): Promise<void> {
  const existing = await hub.call<{ name: string }[]>('GET', '/api/products');
  const names = new Set(existing.map((p) => p.name));
  const missing = CATALOG.filter((p) => !names.has(p.name));
  for (const product of missing) {
    await hub.call('POST', '/api/products', { ...product, currency: 'AMD' });
  }
  console.log(`    catalog: ${CATALOG.length} products (${missing.length} created now)`);
}

export async function bootstrap(urls: SandboxUrls): Promise<void> {
  const hub = new HubClient(urls);
  await ensureSpreadsheet(urls);
  const connections = await connectAll(hub, urls);
  await setMappings(hub, connections);
  await ensureCatalog(hub);
  console.log(
    `    Bitrix24 portal "${SANDBOX_BITRIX24_PORTAL}", amoCRM account, spreadsheet ${SANDBOX_SPREADSHEET_ID} tab "${SANDBOX_SHEET_NAME}"`,
  );
}

if (require.main === module) {
  bootstrap(sandboxUrls(loadSandboxEnv())).catch((err: unknown) => {
    console.error(`sandbox bootstrap: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
