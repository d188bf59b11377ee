import { Module } from '@nestjs/common';
import { ConnectorRegistry } from './connector.registry';
import { Bitrix24Connector } from './bitrix24/bitrix24.connector';
import { WebhookConnector } from './webhook/webhook.connector';

@Module({
  providers: [WebhookConnector, Bitrix24Connector, ConnectorRegistry],
  exports: [ConnectorRegistry],
})
export class ConnectorsModule {}
