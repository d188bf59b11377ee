import { ConnectorError } from '../common/errors';
import type { PaymentEventV1 } from '../payments/payment-event';

export { ConnectorError } from '../common/errors';

export interface ConnectionContext {
  id: string;
  type: string;
  displayName: string;
  account: Record<string, unknown>;
  settings: Record<string, unknown>;
  credentials<T>(): Promise<T | null>;
  // Paces each further request of a call; the engine has already paid for the first.
  pace?: () => Promise<void>;
}

export interface DeliveryLink {
  id: string;
  url: string | null;
  description: string | null;
}

export interface DeliveryItem {
  deliveryId: string;
  /** 1 on the first try; above 1 an earlier try may have reached the destination. */
  attempt: number;
  event: PaymentEventV1;
  link: DeliveryLink | null;
}

export type DeliveryItemResult =
  | {
      deliveryId: string;
      outcome: 'delivered';
      externalId?: string;
      externalUrl?: string;
      detail?: string;
    }
  | { deliveryId: string; outcome: 'skipped'; reason: string }
  | { deliveryId: string; outcome: 'failed'; error: ConnectorError };

export interface RateLimitRule {
  capacity: number;
  refillPerSecond: number;
}

export interface CrmConnector {
  readonly type: string;
  rateLimit(connection: ConnectionContext): RateLimitRule;
  maxBatchSize(connection: ConnectionContext): number;
  // Tokens the engine reserves before it claims; what the call did not use is given back.
  requestsPerCall?(connection: ConnectionContext): number;
  // Idempotent: a retry or replay must not duplicate an effect. A thrown ConnectorError fails every item.
  deliver(connection: ConnectionContext, items: DeliveryItem[]): Promise<DeliveryItemResult[]>;
  plan(connection: ConnectionContext, event: PaymentEventV1): Promise<unknown>;
  check(connection: ConnectionContext): Promise<void>;
}

export function connectorSettings<T>(
  destination: string,
  parse: (raw: unknown) => T,
  connection: ConnectionContext,
): T {
  try {
    return parse(connection.settings);
  } catch (err) {
    throw new ConnectorError(destination, 'permanent', 'INVALID_SETTINGS', (err as Error).message);
  }
}
