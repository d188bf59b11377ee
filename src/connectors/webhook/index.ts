import { defineManifest } from '../connector-manifest';
import { WebhookConnector } from './webhook.connector';
import { parseWebhookSettings } from './webhook.settings';

export const webhookManifest = defineManifest({
  type: 'webhook',
  connector: WebhookConnector,
  parseSettings: parseWebhookSettings,
});
