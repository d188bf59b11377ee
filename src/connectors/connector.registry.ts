import { Injectable } from '@nestjs/common';
import type { CrmConnector, Destination } from './crm-connector';
import { WebhookConnector } from './webhook/webhook.connector';

/** The one place a destination type is mapped to its connector. */
@Injectable()
export class ConnectorRegistry {
  private readonly connectors: Record<Destination, CrmConnector>;

  constructor(webhook: WebhookConnector) {
    this.connectors = { webhook };
  }

  get(type: Destination): CrmConnector {
    return this.connectors[type];
  }
}
