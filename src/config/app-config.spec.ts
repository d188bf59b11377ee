import { loadConfig } from '../load-config';
import { ConfigError } from './app-config';

const valid = {
  ADMIN_TOKEN: 'a'.repeat(32),
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  VPOS_WEBHOOK_SECRETS: `whsec_${Buffer.alloc(24, 1).toString('base64')}`,
  VPOS_API_TOKEN: 'merchant-token',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(valid);
    expect(c.database.url).toBe('postgres://postgres@127.0.0.1:5432/vpos_hub');
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.http.port).toBe(3000);
    expect(c.http.publicBaseUrl).toBe('http://localhost:3000');
    expect(c.role).toBe('all');
    expect(c.vpos.apiBaseUrl).toBe('https://api.vpos.am');
    expect(c.vpos.webhook).toMatchObject({
      scheme: 'standard-webhooks',
      header: 'x-vpos-signature',
      encoding: 'hex',
      toleranceSeconds: 300,
    });
    expect(c.vpos.webhook.secrets[0]).toEqual(Buffer.alloc(24, 1));
    expect(c.vpos.statusPath).toBe('/v1/payment-sessions/{id}');
    expect(c.vpos.currencyExponents.AMD).toBe(2);
    expect(c.encryptionKey).toHaveLength(32);
  });

  it('is live unless HUB_MODE says sandbox', () => {
    expect(loadConfig(valid).mode).toBe('live');
    expect(loadConfig({ ...valid, HUB_MODE: 'sandbox' }).mode).toBe('sandbox');
    expect(problems({ ...valid, HUB_MODE: 'test' }).join()).toMatch(/HUB_MODE must be one of/);
  });

  it('live refuses to start without VPOS credentials, naming each in one message', () => {
    const { VPOS_API_TOKEN: _t, VPOS_WEBHOOK_SECRETS: _s, ...rest } = valid;
    const p = problems({ ...rest, HUB_MODE: 'live' });
    expect(p.join('\n')).toMatch(/VPOS_API_TOKEN is required when HUB_MODE=live/);
    expect(p.join('\n')).toMatch(/VPOS_WEBHOOK_SECRETS/);
    expect(problems({ ...rest, VPOS_WEBHOOK_SECRETS: valid.VPOS_WEBHOOK_SECRETS })).toEqual([
      expect.stringMatching(/^VPOS_API_TOKEN/),
    ]);
  });

  it('sandbox refuses NODE_ENV=production; live and development are fine', () => {
    const sandbox = { ...valid, HUB_MODE: 'sandbox' };
    expect(problems({ ...sandbox, NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/HUB_MODE sandbox is refused when NODE_ENV=production/),
    ]);
    expect(problems({ ...sandbox, NODE_ENV: 'development' })).toEqual([]);
    expect(problems({ ...valid, NODE_ENV: 'production' })).toEqual([]);
  });

  it('names every missing required variable in one message', () => {
    const p = problems({});
    expect(p.join('\n')).toMatch(/ADMIN_TOKEN/);
    expect(p.join('\n')).toMatch(/ENCRYPTION_KEY/);
    expect(p.join('\n')).toMatch(/VPOS_WEBHOOK_SECRETS/);
  });

  it('names each invalid variable and why', () => {
    const p = problems({
      ...valid,
      PORT: 'eighty',
      APP_ROLE: 'both',
      ENCRYPTION_KEY: 'short',
      VPOS_SIGNATURE_SCHEME: 'md5',
      DATABASE_URL: 'mysql://x',
      VPOS_WEBHOOK_TOLERANCE_SECONDS: '-1',
    });
    const text = p.join('\n');
    for (const name of [
      'PORT',
      'APP_ROLE',
      'ENCRYPTION_KEY',
      'VPOS_SIGNATURE_SCHEME',
      'DATABASE_URL',
      'VPOS_WEBHOOK_TOLERANCE_SECONDS',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('accepts several secrets for rotation and refuses a non-base64 one', () => {
    const two = `${valid.VPOS_WEBHOOK_SECRETS}, whsec_${Buffer.alloc(32, 2).toString('base64')}`;
    expect(loadConfig({ ...valid, VPOS_WEBHOOK_SECRETS: two }).vpos.webhook.secrets).toHaveLength(
      2,
    );
    expect(problems({ ...valid, VPOS_WEBHOOK_SECRETS: 'whsec_not base64!' }).join()).toMatch(
      /VPOS_WEBHOOK_SECRETS entry 1/,
    );
  });

  it('takes plain secrets as bytes for hmac-sha256', () => {
    const c = loadConfig({
      ...valid,
      VPOS_SIGNATURE_SCHEME: 'hmac-sha256',
      VPOS_WEBHOOK_SECRETS: 'plain',
    });
    expect(c.vpos.webhook.secrets[0].toString()).toBe('plain');
  });

  it('validates the field and status maps', () => {
    const c = loadConfig({
      ...valid,
      VPOS_FIELD_MAP: '{"lookupStatus":"payment.state"}',
      VPOS_STATUS_MAP: '{"AUTHORIZED":"pending"}',
    });
    expect(c.vpos.fields.lookupStatus).toBe('payment.state');
    expect(c.vpos.statusMap).toEqual({ authorized: 'pending' });
    const p = problems({
      ...valid,
      VPOS_FIELD_MAP: '{"nope":"x"}',
      VPOS_STATUS_MAP: '{"x":"won"}',
    });
    expect(p.join()).toMatch(/VPOS_FIELD_MAP has unknown key nope/);
    expect(p.join()).toMatch(/VPOS_STATUS_MAP.x/);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ ...valid, PORT: '' }).http.port).toBe(3000);
  });

  it('asks for the secret of a configured CRM app', () => {
    expect(problems({ ...valid, AMOCRM_CLIENT_ID: 'id' }).join()).toMatch(
      /AMOCRM_CLIENT_SECRET is required when AMOCRM_CLIENT_ID is set/,
    );
    const c = loadConfig({ ...valid, BITRIX24_CLIENT_ID: 'app', BITRIX24_CLIENT_SECRET: 's' });
    expect(c.crm.bitrix24).toEqual({
      clientId: 'app',
      clientSecret: 's',
      oauthServer: 'https://oauth.bitrix.info',
    });
  });

  it('refuses a link currency without an exponent', () => {
    expect(problems({ ...valid, PAYMENT_LINK_CURRENCIES: 'AMD,GEL' }).join()).toMatch(
      /PAYMENT_LINK_CURRENCIES has GEL/,
    );
  });
});
