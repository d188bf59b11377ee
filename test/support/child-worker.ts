import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { startVposEmulator, VposEmulator } from '../../sandbox/vpos/vpos-emulator';
import {
  createTestDatabase,
  startTestHub,
  TEST_VPOS_TOKEN,
  TEST_WEBHOOK_SECRET,
  TestDatabase,
  TestHub,
  testEnv,
} from './test-hub';

const ROOT = join(__dirname, '..', '..');

export interface HubProcess {
  child: ChildProcess;
  url: string;
}

/** Starts the hub in its own process with `env` and resolves once it is serving. */
export function startHubProcess(
  env: Record<string, string>,
  role: 'api' | 'worker',
  startTimeoutMs = 120000,
): Promise<HubProcess> {
  // The fault tier's compiled hub when there is one (fault-build.ts), else ts-node.
  const built = process.env.FAULT_HUB_BUILD;
  const args = built
    ? [built]
    : ['-r', 'ts-node/register/transpile-only', join(ROOT, 'test/support/worker-process.ts')];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      ...env,
      APP_ROLE: role,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${role} did not start in ${startTimeoutMs / 1000} s`));
    }, startTimeoutMs);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /ready (\d+)/.exec(out);
      if (ready && process.env.FAULT_LOG_LEVEL) process.stderr.write(chunk);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${ready[1]}` });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${role} exited early with ${code ?? signal}`));
    });
  });
}

/** Starts a hub worker process and resolves once it is serving. */
export async function startChildWorker(env: Record<string, string>): Promise<ChildProcess> {
  return (await startHubProcess({ ...env, PORT: '0' }, 'worker', 30000)).child;
}

export function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export interface WorkerStack {
  db: TestDatabase;
  vpos: VposEmulator;
  api: TestHub;
  env: Record<string, string>;
  children: ChildProcess[];
  startWorker(): Promise<ChildProcess>;
}

/**
 * A test database, the VPOS emulator and an `api` hub in this process, with worker processes a
 * test may SIGKILL (short leases, frequent sweeps). `crmEnv` runs after the suite's own
 * beforeAll hooks declared above this call, so it may name emulators they started.
 */
export function useWorkerStack(crmEnv: () => Record<string, string>): WorkerStack {
  const s = { children: [] as ChildProcess[] } as WorkerStack;
  s.startWorker = async () => {
    const child = await startChildWorker(s.env);
    s.children.push(child);
    return child;
  };
  beforeAll(async () => {
    s.db = await createTestDatabase();
    s.vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: TEST_WEBHOOK_SECRET,
      webhookRetryDelaysMs: [200, 500, 1000],
    });
    s.env = testEnv(s.db, {
      VPOS_API_BASE_URL: s.vpos.url,
      DELIVERY_LEASE_SECONDS: '3',
      SWEEP_INTERVAL_MS: '500',
      ...crmEnv(),
    });
    s.api = await startTestHub(s.db, { ...s.env, APP_ROLE: 'api' });
    s.vpos.setWebhookUrl(`${s.api.url}/webhooks/vpos`);
  });
  afterAll(async () => {
    for (const c of s.children.splice(0)) await killHard(c);
    await s.api?.close();
    await s.vpos?.close();
    await s.db?.drop();
  });
  return s;
}
