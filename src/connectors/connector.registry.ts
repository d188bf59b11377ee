import { Injectable } from '@nestjs/common';
import { AmocrmConnector } from './amocrm/amocrm.connector';
import type { CrmConnector, Destination } from './crm-connector';
import { Bitrix24Connector } from './bitrix24/bitrix24.connector';
import { GoogleSheetsConnector } from './google-sheets/google-sheets.connector';
import { WebhookConnector } from './webhook/webhook.connector';

/** The one place a destination type is mapped to its connector. */
@Injectable()
export class ConnectorRegistry {
  private readonly connectors: Record<Destination, CrmConnector>;

  constructor(
    webhook: WebhookConnector,
    bitrix24: Bitrix24Connector,
    amocrm: AmocrmConnector,
    sheets: GoogleSheetsConnector,
  ) {
    this.connectors = { webhook, bitrix24, amocrm, 'google-sheets': sheets };
  }

  get(type: Destination): CrmConnector {
    return this.connectors[type];
  }
}
