/**
 * The sandbox's one source of ports, URLs and app ids: the run script evals its output (the hub's
 * and each emulator's environment); the bootstrap and the demo read the same values.
 * Ports: SANDBOX_VPOS_PORT (4010), SANDBOX_AMOCRM_PORT (4020), SANDBOX_BITRIX24_PORT (4030),
 * SANDBOX_GOOGLE_PORT (4040); the hub's PORT (3000).
 */
import { existsSync } from 'node:fs';

export const SANDBOX_SPREADSHEET_ID = '1SandboxPaymentsSheet0000000000000000000000';
export const SANDBOX_SHEET_NAME = 'Payments';
export const SANDBOX_BITRIX24_PORTAL = 'sandbox';

export interface SandboxUrls {
  hub: string;
  publicBaseUrl: string;
  adminToken: string;
  vpos: string;
  vposToken: string;
  bitrix24: string;
  amocrm: string;
  google: string;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name] || fallback);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${name} is no port`);
  return value;
}

/** The environment of a sandbox run: real variables first, then .env (as the hub reads it). */
export function loadSandboxEnv(): NodeJS.ProcessEnv {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return process.env;
}

export function sandboxUrls(env: NodeJS.ProcessEnv): SandboxUrls {
  const hubPort = port(env, 'PORT', 3000);
  const local = (name: string, fallback: number) => `http://127.0.0.1:${port(env, name, fallback)}`;
  return {
    hub: `http://127.0.0.1:${hubPort}`,
    publicBaseUrl: (env.PUBLIC_BASE_URL || `http://localhost:${hubPort}`).replace(/\/+$/, ''),
    adminToken: env.ADMIN_TOKEN ?? '',
    vpos: local('SANDBOX_VPOS_PORT', 4010),
    vposToken: env.VPOS_API_TOKEN ?? '',
    bitrix24: local('SANDBOX_BITRIX24_PORT', 4030),
    amocrm: local('SANDBOX_AMOCRM_PORT', 4020),
    google: local('SANDBOX_GOOGLE_PORT', 4040),
  };
}

/** What the hub and the four emulator CLIs are started with in sandbox mode. */
export function sandboxVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  const u = sandboxUrls(env);
  const hostOf = (url: string) => new URL(url).host;
  const callback = (provider: string) => `${u.publicBaseUrl}/oauth/${provider}/callback`;
  const b24 = { id: 'local.sandbox.000001', secret: 'sandbox-bitrix24-app-secret' };
  const amo = { id: 'sandbox-amocrm-integration', secret: 'sandbox-amocrm-integration-secret' };
  const google = { id: 'sandbox.apps.googleusercontent.com', secret: 'GOCSPX-sandbox-secret' };
  return {
    SANDBOX_VPOS_URL: u.vpos,
    SANDBOX_BITRIX24_URL: u.bitrix24,
    SANDBOX_AMOCRM_URL: u.amocrm,
    SANDBOX_GOOGLE_URL: u.google,
    // the hub
    VPOS_API_BASE_URL: u.vpos,
    BITRIX24_CLIENT_ID: b24.id,
    BITRIX24_CLIENT_SECRET: b24.secret,
    BITRIX24_OAUTH_SERVER: u.bitrix24,
    AMOCRM_CLIENT_ID: amo.id,
    AMOCRM_CLIENT_SECRET: amo.secret,
    AMOCRM_AUTHORIZE_URL: `${u.amocrm}/oauth`,
    GOOGLE_CLIENT_ID: google.id,
    GOOGLE_CLIENT_SECRET: google.secret,
    GOOGLE_AUTHORIZE_URL: `${u.google}/o/oauth2/v2/auth`,
    GOOGLE_TOKEN_URL: `${u.google}/token`,
    GOOGLE_SHEETS_API_URL: u.google,
    GOOGLE_SHEETS_UI_URL: u.google,
    CONNECTOR_INSECURE_HOSTS: [u.vpos, u.bitrix24, u.amocrm, u.google].map(hostOf).join(','),
    // the emulators
    VPOS_EMULATOR_PORT: new URL(u.vpos).port,
    VPOS_EMULATOR_TOKEN: u.vposToken,
    VPOS_EMULATOR_WEBHOOK_URL: `${u.hub}/webhooks/vpos`,
    VPOS_EMULATOR_WEBHOOK_SECRET: (env.VPOS_WEBHOOK_SECRETS ?? '').split(',')[0].trim(),
    VPOS_EMULATOR_RETRY_DELAYS_MS: '1000,5000,30000',
    BITRIX24_EMULATOR_PORT: new URL(u.bitrix24).port,
    BITRIX24_EMULATOR_CLIENT_ID: b24.id,
    BITRIX24_EMULATOR_CLIENT_SECRET: b24.secret,
    BITRIX24_EMULATOR_REDIRECT_URI: callback('bitrix24'),
    BITRIX24_EMULATOR_AUTO_APPROVE: 'true',
    BITRIX24_EMULATOR_PORTALS: SANDBOX_BITRIX24_PORTAL,
    BITRIX24_EMULATOR_MEMBER_ID: 'a5a9d1b0c0ffee00sandbox000000001',
    AMOCRM_EMULATOR_PORT: new URL(u.amocrm).port,
    AMOCRM_EMULATOR_CLIENT_ID: amo.id,
    AMOCRM_EMULATOR_CLIENT_SECRET: amo.secret,
    AMOCRM_EMULATOR_REDIRECT_URI: callback('amocrm'),
    AMOCRM_EMULATOR_AUTO_APPROVE: '1',
    AMOCRM_EMULATOR_SUBDOMAIN: 'sandbox',
    GOOGLE_EMULATOR_PORT: new URL(u.google).port,
    GOOGLE_EMULATOR_CLIENT_ID: google.id,
    GOOGLE_EMULATOR_CLIENT_SECRET: google.secret,
    GOOGLE_EMULATOR_REDIRECT_URIS: callback('google'),
    GOOGLE_EMULATOR_AUTO_APPROVE: '1',
    GOOGLE_EMULATOR_USER_EMAIL: 'owner@sandbox.example',
  };
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

// `eval "$(node dist/sandbox/demo/sandbox-env.js)"` in the run script.
if (require.main === module) {
  const vars = sandboxVariables(process.env);
  process.stdout.write(
    Object.entries(vars)
      .map(([k, v]) => `export ${k}=${quote(v)}\n`)
      .join(''),
  );
}
