import { defineManifest } from '../connector-manifest';
import { checkBitrix24Webhook } from './bitrix24.account-check';
import { BITRIX24_CONFIG } from './bitrix24.config';
import { Bitrix24Connector } from './bitrix24.connector';
import { Bitrix24LinkSource } from './bitrix24.link-source';
import { Bitrix24OAuth } from './bitrix24.oauth';
import { parseBitrix24Settings } from './bitrix24.settings';

export const bitrix24Manifest = defineManifest({
  type: 'bitrix24',
  connector: Bitrix24Connector,
  oauth: Bitrix24OAuth,
  accountChecks: {
    webhook: (_settings, credentials, ctx) =>
      checkBitrix24Webhook(credentials, ctx.insecureHosts, ctx.pace),
  },
  parseSettings: parseBitrix24Settings,
  config: BITRIX24_CONFIG,
  crmRefKey: 'bitrix24DealId',
  linkSource: Bitrix24LinkSource,
});
