import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

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
