import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Starts a hub worker process and resolves once it is serving. */
export function startChildWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(ROOT, 'test/support/worker-process.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        ...env,
        APP_ROLE: 'worker',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    // ts-node compiles the app first: on a busy machine that alone can take most of a minute.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('worker did not start in 90 s'));
    }, 90000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited early with ${code}`));
    });
  });
}

export function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
