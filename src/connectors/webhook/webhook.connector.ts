import { Inject, Injectable } from '@nestjs/common';
import type { AxiosResponse } from 'axios';
import { createHash, createHmac } from 'node:crypto';
import { classifyHttpError } from '../../common/errors';
import { createHttpClient } from '../../common/http-client';
import { checkOutboundUrl } from '../../common/url-policy';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import type { PaymentEventV1 } from '../../payments/payment-event';
import {
  ConnectionContext,
  ConnectorError,
  connectorSettings,
  CrmConnector,
  DeliveryItem,
  DeliveryItemResult,
  CrmReadResult,
  RateLimitRule,
} from '../crm-connector';
import { parseWebhookSettings, WEBHOOK_DEFAULT_RATE, WebhookSettings } from './webhook.settings';

interface WebhookCredentials {
  secret?: string;
}

interface WebhookResponse {
  results?: Array<{ idempotencyKey?: string; id?: string | number; url?: string }>;
}

// An idempotency key per (event, connection): a receiver that honours it applies each event once.
@Injectable()
export class WebhookConnector implements CrmConnector {
  readonly type = 'webhook' as const;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  rateLimit(connection: ConnectionContext): RateLimitRule {
    return this.settings(connection).rateLimit ?? WEBHOOK_DEFAULT_RATE;
  }

  maxBatchSize(connection: ConnectionContext): number {
    return this.settings(connection).batchSize ?? 1;
  }

  plan(connection: ConnectionContext, event: PaymentEventV1): Promise<unknown> {
    const settings = this.settings(connection);
    return Promise.resolve({
      method: 'POST',
      url: settings.url,
      body: this.body(connection, [event]),
    });
  }

  /** A receiver's state cannot be read back: reconciliation skips it and says why. */
  read(): Promise<CrmReadResult> {
    return Promise.resolve({
      supported: false,
      reason: 'a webhook destination has no read-back (the receiver keeps its own state)',
    });
  }

  async check(connection: ConnectionContext): Promise<void> {
    const settings = this.settings(connection);
    const body = JSON.stringify({ type: 'ping', connectionId: connection.id });
    const id = `ping-${connection.id}-${Date.now()}`;
    const http = createHttpClient({
      baseURL: settings.url,
      timeoutMs: settings.timeoutMs ?? 10000,
    });
    try {
      await http.post('', body, {
        headers: {
          'content-type': 'application/json',
          ...(await this.signature(connection, id, body)),
        },
      });
    } catch (err) {
      const e = classifyHttpError(this.type, err);
      throw new ConnectorError(
        this.type,
        'permanent',
        e.code,
        `settings.url: the endpoint refused a signed ping (${e.message})`,
        e.httpStatus,
      );
    }
  }

  async deliver(
    connection: ConnectionContext,
    items: DeliveryItem[],
  ): Promise<DeliveryItemResult[]> {
    const settings = this.settings(connection);
    const body = JSON.stringify(
      this.body(
        connection,
        items.map((i) => i.event),
      ),
    );
    const keys = items.map((i) => idempotencyKey(connection, i.event));
    const messageId = keys.length === 1 ? keys[0] : `batch-${sha256(keys.join(','))}`;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': messageId,
      ...(await this.signature(connection, messageId, body)),
    };
    const http = createHttpClient({
      baseURL: settings.url,
      timeoutMs: settings.timeoutMs ?? 10000,
    });
    let res: AxiosResponse<unknown>;
    try {
      res = await http.post<unknown>('', body, { headers });
    } catch (err) {
      const e = classifyHttpError(this.type, err);
      // 409: the receiver has already applied this key.
      if (e.httpStatus === 409)
        return items.map((i) => ({
          deliveryId: i.deliveryId,
          outcome: 'delivered',
          detail: 'duplicate',
        }));
      throw ConnectorError.from(this.type, e);
    }
    const results = (res.data as WebhookResponse | undefined)?.results ?? [];
    return items.map((item) => {
      const match = results.find(
        (r) => r.idempotencyKey === idempotencyKey(connection, item.event),
      );
      return {
        deliveryId: item.deliveryId,
        outcome: 'delivered',
        externalId: match?.id !== undefined ? String(match.id) : undefined,
        externalUrl: match?.url,
      };
    });
  }

  private body(connection: ConnectionContext, events: PaymentEventV1[]) {
    return {
      type: 'payment.events',
      events: events.map((event) => ({ idempotencyKey: idempotencyKey(connection, event), event })),
    };
  }

  private async signature(
    connection: ConnectionContext,
    id: string,
    body: string,
  ): Promise<Record<string, string>> {
    const secret = (await connection.credentials<WebhookCredentials>())?.secret;
    if (!secret) return {};
    const ts = Math.floor(Date.now() / 1000).toString();
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    const sig = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
    return { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${sig}` };
  }

  private settings(connection: ConnectionContext): WebhookSettings {
    const settings = connectorSettings(this.type, parseWebhookSettings, connection);
    const problem = checkOutboundUrl(settings.url, this.config.connectors.insecureHosts);
    if (problem) {
      throw new ConnectorError(
        this.type,
        'permanent',
        'URL_NOT_ALLOWED',
        `settings.url ${problem}`,
      );
    }
    return settings;
  }
}

function idempotencyKey(connection: ConnectionContext, event: PaymentEventV1): string {
  return `${event.id}.${connection.id}`;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}
