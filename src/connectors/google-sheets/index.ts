import { defineManifest } from '../connector-manifest';
import { checkGoogleServiceAccount } from './google-sheets.account-check';
import { GOOGLE_CONFIG } from './google-sheets.config';
import { GoogleOAuth } from './google-sheets.oauth';

/** No connector yet: connections can be made and checked, events are not sent to them. */
export const googleSheetsManifest = defineManifest({
  type: 'google-sheets',
  oauth: GoogleOAuth,
  accountChecks: { service_account: checkGoogleServiceAccount },
  config: GOOGLE_CONFIG,
});
