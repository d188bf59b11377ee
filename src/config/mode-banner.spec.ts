import { loadConfig } from '../load-config';
import { modeBanner } from './mode-banner';

const env = {
  ADMIN_TOKEN: 'a'.repeat(32),
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  VPOS_WEBHOOK_SECRETS: `whsec_${Buffer.alloc(24, 1).toString('base64')}`,
  VPOS_API_TOKEN: 'merchant-token',
  PUBLIC_BASE_URL: 'http://localhost:3100',
};

describe('start banner', () => {
  it('says SANDBOX, where to click and which variables make it live', () => {
    const text = modeBanner(loadConfig({ ...env, HUB_MODE: 'sandbox' })).join('\n');
    expect(text).toMatch(/^SANDBOX mode/);
    expect(text).toContain('http://localhost:3100/admin');
    expect(text).toContain('http://localhost:3100/docs');
    expect(text).toContain('.env');
    expect(text).toMatch(/HUB_MODE=live.*VPOS_API_TOKEN.*VPOS_WEBHOOK_SECRETS/);
    expect(text).not.toContain('merchant-token');
  });

  it('says LIVE and the VPOS it talks to otherwise', () => {
    expect(modeBanner(loadConfig(env))).toEqual([
      expect.stringMatching(/^LIVE mode: VPOS at https:\/\/api\.vpos\.am/),
    ]);
  });
});
