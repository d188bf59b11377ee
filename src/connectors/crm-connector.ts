import { ErrorKind, ExternalApiError } from '../common/errors';
import type { PaymentEventV1 } from '../payments/payment-event';

/**
 * Destination types the hub can deliver to. Each CRM joins this list in the change that adds
 * its connector; the registry is a Record over it, so a missing connector fails to compile.
 */
export const DESTINATIONS = ['webhook', 'bitrix24', 'amocrm', 'google-sheets'] as const;
export type Destination = (typeof DESTINATIONS)[number];

export function isDestination(value: unknown): value is Destination {
  return typeof value === 'string' && (DESTINATIONS as readonly string[]).includes(value);
}

/** The one error a connector throws or returns; the engine acts on `kind` alone. */
export class ConnectorError extends ExternalApiError {
  constructor(
    destination: string,
    kind: ErrorKind,
    code: string,
    message: string,
    httpStatus?: number,
    retryAfterMs?: number,
  ) {
    super(destination, kind, code, message, httpStatus, retryAfterMs);
    this.name = 'ConnectorError';
  }

  static from(destination: string, err: ExternalApiError): ConnectorError {
    return err instanceof ConnectorError
      ? err
      : new ConnectorError(
          destination,
          err.kind,
          err.code,
          err.message,
          err.httpStatus,
          err.retryAfterMs,
        );
  }
}

/** What a connector sees of a connection; credentials are decrypted only when asked for. */
export interface ConnectionContext {
  id: string;
  type: Destination;
  displayName: string;
  account: Record<string, unknown>;
  settings: Record<string, unknown>;
  credentials<T>(): Promise<T | null>;
  /**
   * Waits for a token of the connection's rate limit. A connector that sends several requests
   * per `deliver` calls it before each one; the engine has already paid for the first.
   * Absent outside the delivery engine (settings checks are not paced).
   */
  pace?: () => Promise<void>;
}

/** The payment link the event's attempt was paid through, when the hub made one. */
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

/**
 * Access tokens of OAuth connections, refreshed without races (the connections module's
 * TokenService). Connectors look it up by this token: a direct import would be circular.
 */
export const ACCESS_TOKENS = Symbol('ACCESS_TOKENS');
export interface AccessTokenSource {
  /** The token to use; `rejected` is one the CRM just refused as expired. */
  accessToken(connectionId: string, rejected?: string): Promise<string>;
}

/** A token bucket: `capacity` requests at once, refilled at `refillPerSecond`. */
export interface RateLimitRule {
  capacity: number;
  refillPerSecond: number;
}

export interface CrmConnector {
  readonly type: Destination;
  /** The destination's published request limit for one connection. */
  rateLimit(connection: ConnectionContext): RateLimitRule;
  /** How many events one call may carry under a backlog. */
  maxBatchSize(connection: ConnectionContext): number;
  /**
   * Requests a call with `maxBatchSize` events sends (default 1). The engine reserves that
   * many tokens before it claims, gives back what the call did not use, and the connector
   * spends them through `ConnectionContext.pace`.
   */
  requestsPerCall?(connection: ConnectionContext): number;
  /**
   * Applies the events idempotently (a retry or replay must not duplicate an effect) and
   * returns one result per item. A thrown ConnectorError applies to every item.
   */
  deliver(connection: ConnectionContext, items: DeliveryItem[]): Promise<DeliveryItemResult[]>;
  /** What `deliver` would send for this event, sending nothing (dry-run replay). */
  plan(connection: ConnectionContext, event: PaymentEventV1): Promise<unknown>;
  /**
   * Checks settings and credentials against the destination before they are saved; throws a
   * ConnectorError whose message names the problem (the destination's own reason included).
   */
  check(connection: ConnectionContext): Promise<void>;
}

/** A connection's settings through the connector's parser; a bad field is a permanent error. */
export function connectorSettings<T>(
  destination: Destination,
  parse: (raw: unknown) => T,
  connection: ConnectionContext,
): T {
  try {
    return parse(connection.settings);
  } catch (err) {
    throw new ConnectorError(destination, 'permanent', 'INVALID_SETTINGS', (err as Error).message);
  }
}
