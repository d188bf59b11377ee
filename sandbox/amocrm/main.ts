/**
 * CLI entry of the amoCRM emulator. Environment:
 *   AMOCRM_EMULATOR_PORT (4020), AMOCRM_EMULATOR_CLIENT_ID, AMOCRM_EMULATOR_CLIENT_SECRET,
 *   AMOCRM_EMULATOR_REDIRECT_URI (http://127.0.0.1:3000/connectors/amocrm/callback),
 *   AMOCRM_EMULATOR_AUTO_APPROVE (0/1, default 0), AMOCRM_EMULATOR_RATE_LIMIT (7 per second; 0 = off),
 *   AMOCRM_EMULATOR_FLAVOR (amocrm | kommo), AMOCRM_EMULATOR_ACCESS_TTL_SEC (86400),
 *   AMOCRM_EMULATOR_SUBDOMAIN (emulator).
 */
import { env, integer, runEmulator } from '../common/cli';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_REDIRECT_URI,
  startAmocrmEmulator,
} from './amocrm-emulator';

async function main() {
  const flavor = env('AMOCRM_EMULATOR_FLAVOR') ?? 'amocrm';
  if (flavor !== 'amocrm' && flavor !== 'kommo') {
    throw new Error('AMOCRM_EMULATOR_FLAVOR must be amocrm or kommo');
  }
  const clientId = env('AMOCRM_EMULATOR_CLIENT_ID') ?? DEFAULT_CLIENT_ID;
  const emulator = await startAmocrmEmulator({
    port: integer('AMOCRM_EMULATOR_PORT', 4020),
    integration: {
      clientId,
      clientSecret: env('AMOCRM_EMULATOR_CLIENT_SECRET') ?? DEFAULT_CLIENT_SECRET,
      redirectUri: env('AMOCRM_EMULATOR_REDIRECT_URI') ?? DEFAULT_REDIRECT_URI,
    },
    account: { subdomain: env('AMOCRM_EMULATOR_SUBDOMAIN') ?? 'emulator' },
    autoApprove: env('AMOCRM_EMULATOR_AUTO_APPROVE') === '1',
    rateLimitPerSecond: integer('AMOCRM_EMULATOR_RATE_LIMIT', 7),
    accessTokenTtlSec: integer('AMOCRM_EMULATOR_ACCESS_TTL_SEC', 86_400),
    flavor,
  });
  return {
    emulator,
    banner: [
      `amoCRM emulator listening on ${emulator.url} (account host ${emulator.host})`,
      `  AMOCRM_AUTHORIZE_URL=${emulator.url}/oauth`,
      `  AMOCRM_CLIENT_ID=${clientId}`,
      `  CONNECTOR_INSECURE_HOSTS=${emulator.host}`,
      `  token endpoint: ${emulator.url}/oauth2/access_token, API: ${emulator.url}/api/v4`,
      `  pages:    ${emulator.url}/_emulator/ui (leads with status and notes, for people)`,
      `  controls: ${emulator.url}/_emulator/state, /leads, /notes, /tokens, /faults, /reset`,
    ],
  };
}

runEmulator('amoCRM', main);
