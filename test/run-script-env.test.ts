import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/**
 * The environment `scripts/run.sh` gives the hub, through the same lib.sh functions: a fresh
 * sandbox .env, .env loading, and PUBLIC_BASE_URL (the banner's and the OAuth redirect URIs' base).
 */
describe('run script: PUBLIC_BASE_URL follows PORT in sandbox mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hub-run-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function resolved(envFile: string, env: Record<string, string>): string {
    const script = `set -euo pipefail
      . "${ROOT}/scripts/lib.sh"
      given=0; [ -n "\${PUBLIC_BASE_URL:-}" ] && given=1
      load_env_file "${envFile}"
      export HUB_MODE=\${HUB_MODE:-live} PORT=\${PORT:-3000}
      resolve_public_base_url "$given"
      printf '%s' "$PUBLIC_BASE_URL"`;
    return execFileSync('bash', ['-c', script], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });
  }

  function envWith(name: string, lines: string[]): string {
    const file = join(dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  it('a fresh sandbox .env leaves PUBLIC_BASE_URL to PORT', () => {
    const file = join(dir, 'fresh.env');
    execFileSync(
      'bash',
      ['-c', `. "${ROOT}/scripts/lib.sh"; create_sandbox_env "${ROOT}/.env.example" "${file}"`],
      { env: { PATH: process.env.PATH ?? '' } },
    );
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^HUB_MODE=sandbox$/m);
    expect(text).not.toMatch(/^PUBLIC_BASE_URL=/m);
    expect(text).toMatch(/^PORT=3000$/m);
    expect(resolved(file, { PORT: '3100' })).toBe('http://localhost:3100');
    expect(resolved(file, {})).toBe('http://localhost:3000');
  });

  it('a sandbox .env made before still carrying the template URL follows PORT too', () => {
    const file = envWith('old.env', [
      'HUB_MODE=sandbox',
      'PORT=3000',
      'PUBLIC_BASE_URL=http://localhost:3000',
    ]);
    expect(resolved(file, { PORT: '3100' })).toBe('http://localhost:3100');
  });

  it('a PUBLIC_BASE_URL the user set wins: in the environment or edited in .env', () => {
    const old = envWith('old2.env', ['HUB_MODE=sandbox', 'PUBLIC_BASE_URL=http://localhost:3000']);
    expect(resolved(old, { PORT: '3100', PUBLIC_BASE_URL: 'http://localhost:3000' })).toBe(
      'http://localhost:3000',
    );
    const edited = envWith('edited.env', [
      'HUB_MODE=sandbox',
      'PUBLIC_BASE_URL=https://hub.example.com',
    ]);
    expect(resolved(edited, { PORT: '3100' })).toBe('https://hub.example.com');
  });

  it('live mode keeps the .env value', () => {
    const file = envWith('live.env', ['HUB_MODE=live', 'PUBLIC_BASE_URL=http://localhost:3000']);
    expect(resolved(file, { PORT: '3100' })).toBe('http://localhost:3000');
  });
});
