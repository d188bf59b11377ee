import { randomBytes } from 'node:crypto';
import { spawnMain } from './support/spawn-main';
import { TEST_WEBHOOK_SECRET } from './support/test-hub';

const base = {
  ADMIN_TOKEN: 'hub-mode-admin-token-0123456789',
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  // Unreachable on purpose: a start that got past the config check would fail differently.
  DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none',
  REDIS_URL: 'redis://127.0.0.1:9',
};

describe('HUB_MODE at start', () => {
  it('live with missing VPOS settings stops with one message naming each', () => {
    const run = spawnMain({ ...base, HUB_MODE: 'live' });
    expect(run.status).toBe(1);
    expect(run.stderr.match(/Invalid configuration/g)).toHaveLength(1);
    expect(run.stderr).toContain('VPOS_API_TOKEN is required when HUB_MODE=live');
    expect(run.stderr).toContain('VPOS_WEBHOOK_SECRETS');
  });

  it('live with bad VPOS values stops with one message naming each', () => {
    const run = spawnMain({
      ...base,
      HUB_MODE: 'live',
      VPOS_API_BASE_URL: 'api.vpos.am/v1',
      VPOS_WEBHOOK_SECRETS: 'whsec_not-base64!',
      VPOS_SIGNATURE_SCHEME: 'md5',
    });
    expect(run.status).toBe(1);
    expect(run.stderr.match(/Invalid configuration/g)).toHaveLength(1);
    expect(run.stderr).toMatch(/VPOS_API_BASE_URL[^\n]*absolute http\(s\) URL/);
    expect(run.stderr).toContain('VPOS_API_TOKEN is required when HUB_MODE=live');
    expect(run.stderr).toContain('VPOS_SIGNATURE_SCHEME');
    expect(run.stderr).not.toMatch(/ECONNREFUSED|listening/);
  });

  it('live with a valid token but an unusable API URL or secret still refuses to start', () => {
    const run = spawnMain({
      ...base,
      HUB_MODE: 'live',
      VPOS_API_TOKEN: 'merchant-token',
      VPOS_API_BASE_URL: 'ftp://api.vpos.am',
      VPOS_WEBHOOK_SECRETS: 'whsec_c2hvcnQ=',
    });
    expect(run.status).toBe(1);
    expect(run.stderr.match(/Invalid configuration/g)).toHaveLength(1);
    expect(run.stderr).toMatch(/VPOS_API_BASE_URL[^\n]*absolute http\(s\) URL/);
    expect(run.stderr).toContain('VPOS_WEBHOOK_SECRETS entry 1 must be whsec_');
    expect(run.stderr).not.toContain('VPOS_API_TOKEN');
  });

  it('no HUB_MODE is live: the VPOS token is required', () => {
    const run = spawnMain({ ...base, VPOS_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('VPOS_API_TOKEN is required when HUB_MODE=live');
  });

  it('sandbox refuses NODE_ENV=production', () => {
    const run = spawnMain({
      ...base,
      HUB_MODE: 'sandbox',
      NODE_ENV: 'production',
      VPOS_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
      VPOS_API_TOKEN: 'emulator-token',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('HUB_MODE sandbox is refused when NODE_ENV=production');
    expect(run.stderr).not.toContain('VPOS_API_TOKEN');
  });
});
