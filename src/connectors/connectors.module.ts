import { Module } from '@nestjs/common';
import { AmocrmConnector } from './amocrm/amocrm.connector';
import { ConnectorRegistry } from './connector.registry';
import { Bitrix24Connector } from './bitrix24/bitrix24.connector';
import { WebhookConnector } from './webhook/webhook.connector';

@Module({
  providers: [WebhookConnector, Bitrix24Connector, AmocrmConnector, ConnectorRegistry],
  exports: [ConnectorRegistry],
})
export class ConnectorsModule {}
