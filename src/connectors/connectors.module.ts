import { Module } from '@nestjs/common';
import { AmocrmConnector } from './amocrm/amocrm.connector';
import { ConnectorRegistry } from './connector.registry';
import { Bitrix24Connector } from './bitrix24/bitrix24.connector';
import { GoogleSheetsConnector } from './google-sheets/google-sheets.connector';
import { CrmEntitiesService } from './shared/crm-entities.service';
import { WebhookConnector } from './webhook/webhook.connector';

@Module({
  providers: [
    WebhookConnector,
    Bitrix24Connector,
    AmocrmConnector,
    GoogleSheetsConnector,
    CrmEntitiesService,
    ConnectorRegistry,
  ],
  exports: [ConnectorRegistry],
})
export class ConnectorsModule {}
