import { defineManifest } from '../connector-manifest';
import { checkAmocrmToken } from './amocrm.account-check';
import { AMOCRM_CONFIG } from './amocrm.config';
import { AmocrmConnector } from './amocrm.connector';
import { AmocrmLinkSource } from './amocrm.link-source';
import { AmocrmOAuth } from './amocrm.oauth';
import { parseAmocrmSettings } from './amocrm.settings';

export const amocrmManifest = defineManifest({
  type: 'amocrm',
  connector: AmocrmConnector,
  oauth: AmocrmOAuth,
  accountChecks: {
    token: (settings, credentials, ctx) =>
      checkAmocrmToken(settings, credentials, ctx.insecureHosts),
  },
  parseSettings: parseAmocrmSettings,
  config: AMOCRM_CONFIG,
  crmRefKey: 'amocrmLeadId',
  linkSource: AmocrmLinkSource,
});
