import { defineManifest } from '../connector-manifest';
import { checkGoogleServiceAccount } from './google-sheets.account-check';
import { GOOGLE_CONFIG } from './google-sheets.config';
import { GoogleSheetsConnector } from './google-sheets.connector';
import { GoogleOAuth } from './google-sheets.oauth';
import { parseSheetsSettings } from './google-sheets.settings';

export const googleSheetsManifest = defineManifest({
  type: 'google-sheets',
  connector: GoogleSheetsConnector,
  oauth: GoogleOAuth,
  accountChecks: { service_account: checkGoogleServiceAccount },
  parseSettings: parseSheetsSettings,
  config: GOOGLE_CONFIG,
});
