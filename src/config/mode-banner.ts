import type { AppConfig } from './app-config';

export const LIVE_VARIABLES = [
  'HUB_MODE=live',
  'VPOS_API_BASE_URL',
  'VPOS_API_TOKEN',
  'VPOS_WEBHOOK_SECRETS',
  'BITRIX24_CLIENT_ID/_SECRET',
  'AMOCRM_CLIENT_ID/_SECRET',
  'GOOGLE_CLIENT_ID/_SECRET',
] as const;

export function modeBanner(config: AppConfig): string[] {
  const base = config.http.publicBaseUrl;
  const where = `admin ${base}/admin, API docs ${base}/docs, ADMIN_TOKEN from the environment or .env`;
  if (config.mode === 'live') return [`LIVE mode: VPOS at ${config.vpos.apiBaseUrl}; ${where}`];
  return [
    `SANDBOX mode: VPOS at ${config.vpos.apiBaseUrl} and the CRMs are local emulators; no real money moves`,
    where,
    `to go live set ${LIVE_VARIABLES.join(', ')} (see .env.example)`,
  ];
}
