import { MAPPINGS } from '../../sandbox/demo/bootstrap';
import { emulator, HubClient } from '../../sandbox/demo/hub-client';
import {
  SANDBOX_BITRIX24_PORTAL,
  SANDBOX_SPREADSHEET_ID,
  sandboxVariables,
  type SandboxUrls,
} from '../../sandbox/demo/sandbox-env';
import { AmocrmEmulator, startAmocrmEmulator } from '../../sandbox/amocrm/amocrm-emulator';
import { Bitrix24Emulator, startBitrix24Emulator } from '../../sandbox/bitrix24/bitrix24-emulator';
import { GoogleEmulator, startGoogleEmulator } from '../../sandbox/google/google-emulator';
import { startVposEmulator, VposEmulator } from '../../sandbox/vpos/vpos-emulator';
import { HubProcess, killHard, startHubProcess } from './child-worker';
import { freePort, OwnRedis } from './redis-server';
import {
  createTestDatabase,
  TEST_ADMIN_TOKEN,
  TEST_VPOS_TOKEN,
  TEST_WEBHOOK_SECRET,
  TestDatabase,
  testEnv,
} from './test-hub';

export const SHEET = 'Orders';

export interface FaultStack {
  db: TestDatabase;
  redis: OwnRedis;
  vpos: VposEmulator;
  b24: Bitrix24Emulator;
  amo: AmocrmEmulator;
  google: GoogleEmulator;
  /** The hub's environment (the API and every worker). */
  env: Record<string, string>;
  urls: SandboxUrls;
  admin: HubClient;
  api: HubProcess;
  /** The two worker processes; an entry is replaced when a test restarts it. */
  workers: HubProcess[];
  connections: { bitrix24: string; amocrm: string; googleSheets: string };
  orderIdField: number;
  restartWorker(index: number): Promise<void>;
  /** Every hub process still running (none died on its own). */
  crashed(): string[];
  close(): Promise<void>;
}

interface Connection {
  id: string;
  type: string;
}

/**
 * A scenario's world: its own database and redis-server, the four emulators (in this process,
 * ephemeral ports), the hub as one API process and two worker processes, and one connection of
 * each CRM made through its real OAuth flow with the sandbox's mappings plus created deals,
 * leads and rows. `close()` stops and drops all of it, also after a failure half-way.
 */
export async function startFaultStack(hubEnv: Record<string, string> = {}): Promise<FaultStack> {
  const closers: Array<() => Promise<unknown>> = [];
  const hubProcesses: HubProcess[] = [];
  const close = async () => {
    for (const p of hubProcesses) await killHard(p.child);
    for (const fn of closers.reverse()) await fn().catch(() => undefined);
  };
  const t0 = Date.now();
  try {
    const [hubPort, vposPort, amoPort, b24Port, googlePort, redisPort] = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(() => freePort()),
    );
    const redis = new OwnRedis(redisPort);
    await redis.start();
    closers.push(() => redis.stop());
    const db = await createTestDatabase();
    closers.push(() => db.drop());

    const v = sandboxVariables({
      PORT: String(hubPort),
      PUBLIC_BASE_URL: `http://127.0.0.1:${hubPort}`,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      VPOS_API_TOKEN: TEST_VPOS_TOKEN,
      VPOS_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
      SANDBOX_VPOS_PORT: String(vposPort),
      SANDBOX_AMOCRM_PORT: String(amoPort),
      SANDBOX_BITRIX24_PORT: String(b24Port),
      SANDBOX_GOOGLE_PORT: String(googlePort),
    });
    const vpos = await startVposEmulator({
      port: vposPort,
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: TEST_WEBHOOK_SECRET,
      webhookUrl: v.VPOS_EMULATOR_WEBHOOK_URL,
      // VPOS keeps retrying an unanswered webhook; a PostgreSQL fault must not outlast this.
      webhookRetryDelaysMs: [500, 1000, 2000, 4000, 8000, 15000, 30000],
    });
    closers.push(() => vpos.close());
    const b24 = await startBitrix24Emulator({
      port: b24Port,
      clientId: v.BITRIX24_EMULATOR_CLIENT_ID,
      clientSecret: v.BITRIX24_EMULATOR_CLIENT_SECRET,
      redirectUri: v.BITRIX24_EMULATOR_REDIRECT_URI,
      autoApprove: true,
      portals: [{ name: SANDBOX_BITRIX24_PORTAL, memberId: v.BITRIX24_EMULATOR_MEMBER_ID }],
    });
    closers.push(() => b24.close());
    const amo = await startAmocrmEmulator({
      port: amoPort,
      integration: {
        clientId: v.AMOCRM_EMULATOR_CLIENT_ID,
        clientSecret: v.AMOCRM_EMULATOR_CLIENT_SECRET,
        redirectUri: v.AMOCRM_EMULATOR_REDIRECT_URI,
      },
      account: { subdomain: v.AMOCRM_EMULATOR_SUBDOMAIN },
      autoApprove: true,
    });
    closers.push(() => amo.close());
    const google = await startGoogleEmulator({
      port: googlePort,
      client: {
        clientId: v.GOOGLE_EMULATOR_CLIENT_ID,
        clientSecret: v.GOOGLE_EMULATOR_CLIENT_SECRET,
        redirectUris: [v.GOOGLE_EMULATOR_REDIRECT_URIS],
      },
      userEmail: v.GOOGLE_EMULATOR_USER_EMAIL,
      autoApprove: true,
    });
    closers.push(() => google.close());
    google.createSpreadsheet({
      spreadsheetId: SANDBOX_SPREADSHEET_ID,
      title: 'Payments',
      sheets: [{ title: SHEET }],
    });

    const hubVars = Object.fromEntries(
      Object.entries(v).filter(([k]) => !/_EMULATOR_|^SANDBOX_/.test(k)),
    );
    const env = testEnv(db, {
      ...hubVars,
      PORT: String(hubPort),
      PUBLIC_BASE_URL: `http://127.0.0.1:${hubPort}`,
      REDIS_URL: redis.url,
      // Longer than a batch on a loaded machine (a lapsed lease lets a second worker run it),
      // short enough that the deliveries of 20 killed workers come back within the wait.
      DELIVERY_LEASE_SECONDS: '30',
      SWEEP_INTERVAL_MS: '1000',
      UNVERIFIED_REQUEUE_SECONDS: '20',
      // FAULT_LOG_LEVEL=error shows the hub processes' logs (e.g. the error behind a 5xx).
      ...(process.env.FAULT_LOG_LEVEL ? { LOG_LEVEL: process.env.FAULT_LOG_LEVEL } : {}),
      ...hubEnv,
    });
    const workerEnv = { ...env, PORT: '0' };
    const started = await Promise.all([
      startHubProcess(env, 'api'),
      startHubProcess(workerEnv, 'worker'),
      startHubProcess(workerEnv, 'worker'),
    ]);
    hubProcesses.push(...started);
    const tProcesses = Date.now();
    const [api, ...workers] = started;

    const urls: SandboxUrls = {
      hub: api.url,
      publicBaseUrl: env.PUBLIC_BASE_URL,
      adminToken: TEST_ADMIN_TOKEN,
      vpos: vpos.url,
      vposToken: TEST_VPOS_TOKEN,
      bitrix24: b24.url,
      amocrm: amo.url,
      google: google.url,
    };
    const admin = new HubClient(urls);
    const orderIdField = amo.createCustomField({ name: 'Order ID', type: 'text' }).id;
    const connections = await connectAll(admin, b24, orderIdField);
    console.log(
      `fault stack up in ${Date.now() - t0} ms (hub processes ready at ${tProcesses - t0} ms)`,
    );

    const stack: FaultStack = {
      db,
      redis,
      vpos,
      b24,
      amo,
      google,
      env,
      urls,
      admin,
      api,
      workers,
      connections,
      orderIdField,
      restartWorker: async (index) => {
        await killHard(workers[index].child);
        const next = await startHubProcess(workerEnv, 'worker');
        hubProcesses.push(next);
        workers[index] = next;
      },
      crashed: () =>
        [api, ...workers]
          .filter((p) => p.child.exitCode !== null || p.child.signalCode !== null)
          .map((p) => `${p.url} exited with ${p.child.exitCode ?? p.child.signalCode}`),
      close,
    };
    return stack;
  } catch (error) {
    await close();
    throw error;
  }
}

/** One connection per CRM through OAuth (as the sandbox bootstrap does), then what to write. */
async function connectAll(admin: HubClient, b24: Bitrix24Emulator, orderIdField: number) {
  await admin.connect(
    `/api/connections/oauth/bitrix24/start?portal=${encodeURIComponent(b24.portal().domain)}`,
  );
  await admin.connect('/api/connections/oauth/amocrm/start');
  await admin.connect(
    `/api/connections/oauth/google/start?spreadsheetId=${SANDBOX_SPREADSHEET_ID}`,
  );
  const all = await admin.call<Connection[]>('GET', '/api/connections');
  const id = (type: string) => {
    const found = all.find((c) => c.type === type);
    if (!found) throw new Error(`no ${type} connection after OAuth`);
    return found.id;
  };
  const connections = {
    bitrix24: id('bitrix24'),
    amocrm: id('amocrm'),
    googleSheets: id('google-sheets'),
  };
  const settings: Record<string, Record<string, unknown>> = {
    [connections.bitrix24]: { ...MAPPINGS.bitrix24, createDeals: true },
    [connections.amocrm]: { ...MAPPINGS.amocrm, orderIdField, createLeads: true },
    [connections.googleSheets]: {
      spreadsheetId: SANDBOX_SPREADSHEET_ID,
      sheetName: SHEET,
      language: 'en',
    },
  };
  for (const [connectionId, body] of Object.entries(settings)) {
    await admin.call('PATCH', `/api/connections/${connectionId}`, { settings: body });
  }
  return connections;
}

/** Reads an emulator's `/_emulator/*` control API (the same data its CRM API serves). */
export const readEmulator = emulator;
