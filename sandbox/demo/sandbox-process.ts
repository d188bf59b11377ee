/** The demo's hub: the one already running, or `scripts/run.sh` started for the demo's length. */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { HubClient, sleep } from './hub-client';
import type { SandboxUrls } from './sandbox-env';

async function answers(url: string): Promise<boolean> {
  return fetch(`${url}/health/ready`).then(
    (r) => r.ok,
    () => false,
  );
}

/** Ready once the bootstrap connected every CRM and made the catalog. */
async function bootstrapped(hub: HubClient): Promise<boolean> {
  type Conn = { type: string; settings: Record<string, unknown> };
  const [connections, products] = await Promise.all([
    hub.call<Conn[]>('GET', '/api/connections'),
    hub.call<unknown[]>('GET', '/api/products'),
  ]).catch(() => [[], []] as [Conn[], unknown[]]);
  const types = new Set(connections.map((c) => c.type));
  const sheet = connections.find((c) => c.type === 'google-sheets');
  return (
    types.has('bitrix24') &&
    types.has('amocrm') &&
    typeof sheet?.settings.spreadsheetId === 'string' &&
    products.length > 0
  );
}

export async function ensureSandboxHub(urls: SandboxUrls): Promise<() => Promise<void>> {
  const hub = new HubClient(urls);
  if ((await answers(urls.hub)) && (await bootstrapped(hub))) return () => Promise.resolve();
  console.log('no sandbox hub answers: starting scripts/run.sh (log in .sandbox/hub.log)');
  mkdirSync('.sandbox', { recursive: true });
  const log = openSync('.sandbox/hub.log', 'a');
  const child = spawn('bash', ['scripts/run.sh'], { detached: true, stdio: ['ignore', log, log] });
  const deadline = Date.now() + 240_000;
  while (!((await answers(urls.hub)) && (await bootstrapped(hub)))) {
    if (child.exitCode !== null) throw new Error('scripts/run.sh stopped; see .sandbox/hub.log');
    if (Date.now() > deadline) throw new Error('the sandbox hub did not get ready in 4 minutes');
    await sleep(500);
  }
  return async () => {
    child.kill('SIGTERM');
    while (child.exitCode === null && child.signalCode === null) await sleep(100);
  };
}
