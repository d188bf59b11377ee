/**
 * Run by `npm run hub` in sandbox mode once the hub is ready: one connection of each CRM through
 * its real OAuth flow (a reconnect on a restart: the hub keys accounts by their identity), the
 * mappings, and a small product catalog (created once, by name).
 */
import { HubClient } from './hub-client';
import {
  loadSandboxEnv,
  SANDBOX_BITRIX24_PORTAL,
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
};

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

async function setMappings(hub: HubClient, connections: Connection[]): Promise<void> {
  for (const [type, settings] of Object.entries(MAPPINGS)) {
    const conn = connections.find((c) => c.type === type);
    if (!conn) throw new Error(`no ${type} connection after OAuth`);
    await hub.call('PATCH', `/api/connections/${conn.id}`, { settings });
    console.log(`    ${type}: mapping ${JSON.stringify(settings)}`);
  }
  // The spreadsheet comes with the OAuth start (account.spreadsheetId); its sheet settings wait
  // for the Google Sheets connector, which the hub does not deliver to yet.
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
  const connections = await connectAll(hub, urls);
  await setMappings(hub, connections);
  await ensureCatalog(hub);
  console.log(
    `    Bitrix24 portal "${SANDBOX_BITRIX24_PORTAL}", amoCRM account, spreadsheet ${SANDBOX_SPREADSHEET_ID}`,
  );
}

if (require.main === module) {
  bootstrap(sandboxUrls(loadSandboxEnv())).catch((err: unknown) => {
    console.error(`sandbox bootstrap: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
