import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The fault tier starts dozens of hub processes; under ts-node each spends ~30 s of a loaded CPU
 * compiling, so the tier compiles the hub once (no type check: `tsc` in scripts/test.sh does that)
 * and the processes run the JavaScript (child-worker.ts reads FAULT_HUB_BUILD).
 */
const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, '.test-results', `fault-hub-${process.pid}`);

export function buildHub(): string {
  mkdirSync(OUT, { recursive: true });
  const config = join(OUT, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { outDir: OUT, rootDir: ROOT, noCheck: true, sourceMap: false, types: [] },
      files: [join(ROOT, 'test/support/worker-process.ts')],
      include: [],
    }),
  );
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', config], {
    stdio: 'inherit',
  });
  return join(OUT, 'test/support/worker-process.js');
}

export function removeHubBuild(): void {
  rmSync(OUT, { recursive: true, force: true });
}
