import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/**
 * Runs the hub's entry (src/main.ts) with exactly `env`, from an empty folder so a developer's
 * .env cannot fill the gaps; for start-up checks that must stop before listening.
 */
export function spawnMain(env: Record<string, string>) {
  return spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/main.ts')],
    {
      cwd: mkdtempSync(join(tmpdir(), 'hub-config-')),
      env: {
        PATH: process.env.PATH,
        NODE_PATH: join(ROOT, 'node_modules'),
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        ...env,
      },
      encoding: 'utf8',
      // ts-node compiles the whole app first: half a minute on a busy machine.
      timeout: 55000,
    },
  );
}
