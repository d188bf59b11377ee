/**
 * CLI entry of the Google OAuth + Sheets emulator. Environment:
 *   GOOGLE_EMULATOR_PORT (4030), GOOGLE_EMULATOR_CLIENT_ID, GOOGLE_EMULATOR_CLIENT_SECRET,
 *   GOOGLE_EMULATOR_REDIRECT_URIS (comma-separated; empty = any), GOOGLE_EMULATOR_USER_EMAIL
 *   (user@example.com), GOOGLE_EMULATOR_AUTO_APPROVE (0/1), GOOGLE_EMULATOR_WRITE_QUOTA (60 per
 *   minute per user), GOOGLE_EMULATOR_READ_QUOTA (60), GOOGLE_EMULATOR_SPREADSHEET_ID (creates an
 *   empty `Sheet1` spreadsheet with that id, shared with anyone).
 */
import { env, integer, runEmulator } from '../common/cli';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_USER_EMAIL,
  startGoogleEmulator,
} from './google-emulator';

async function main() {
  const clientId = env('GOOGLE_EMULATOR_CLIENT_ID') ?? DEFAULT_CLIENT_ID;
  const emulator = await startGoogleEmulator({
    port: integer('GOOGLE_EMULATOR_PORT', 4030),
    client: {
      clientId,
      clientSecret: env('GOOGLE_EMULATOR_CLIENT_SECRET') ?? DEFAULT_CLIENT_SECRET,
      redirectUris: env('GOOGLE_EMULATOR_REDIRECT_URIS')
        ?.split(',')
        .map((u) => u.trim()),
    },
    userEmail: env('GOOGLE_EMULATOR_USER_EMAIL') ?? DEFAULT_USER_EMAIL,
    autoApprove: env('GOOGLE_EMULATOR_AUTO_APPROVE') === '1',
    quota: {
      writeRequestsPerMinutePerUser: integer('GOOGLE_EMULATOR_WRITE_QUOTA', 60),
      readRequestsPerMinutePerUser: integer('GOOGLE_EMULATOR_READ_QUOTA', 60),
    },
  });
  const spreadsheetId = env('GOOGLE_EMULATOR_SPREADSHEET_ID');
  if (spreadsheetId) emulator.createSpreadsheet({ spreadsheetId, title: 'Emulated sheet' });
  const { endpoints } = emulator;
  return {
    emulator,
    banner: [
      `Google emulator listening on ${emulator.url}`,
      `  GOOGLE_CLIENT_ID=${clientId}`,
      `  GOOGLE_AUTHORIZE_URL=${endpoints.authorize}`,
      `  GOOGLE_TOKEN_URL=${endpoints.token}`,
      `  GOOGLE_SHEETS_API_URL=${emulator.url}`,
      `  CONNECTOR_INSECURE_HOSTS=127.0.0.1:${emulator.port}`,
      `  revoke ${endpoints.revoke}, tokeninfo ${endpoints.tokenInfo}, userinfo ${endpoints.userInfo}`,
      `  pages:    ${emulator.url}/_emulator/ui (each spreadsheet as tables, for people)`,
      `  controls: ${emulator.url}/_emulator/state, /spreadsheets, /tokens, /faults, /reset`,
    ],
  };
}

runEmulator('Google', main);
