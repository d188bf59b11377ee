import { ConnectorError } from '../common/errors';
import type { PaymentStatus } from '../domain/payment-status';
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

/** An order whose state a destination should show (reconciliation, the console's order page). */
export interface ReadOrder {
  orderId: string;
  /** Our status of the order: the destination should show the state it is mapped to. */
  status: PaymentStatus;
  amountMinor: number | null;
  currency: string | null;
  /** The event whose note or comment should be there (its marker is looked for). */
  eventId?: string | null;
  /** What the hub last knew the order became there (a deal or lead id, a row): a hint. */
  externalId?: string | null;
}

/** The destination's current view of one order. */
export interface CrmOrderView {
  orderId: string;
  found: boolean;
  externalId?: string;
  /** The destination's own state (a stage id, a status id, a cell). */
  state?: string | null;
  /** Whether `state` is the one `status` maps to; null when the connection maps no state. */
  inStatus?: boolean | null;
  amountMinor?: number | null;
  currency?: string | null;
  /** Whether our note or comment of `eventId` is there; undefined when not asked or not kept. */
  noteFound?: boolean;
}

export type CrmReadResult =
  { supported: true; orders: CrmOrderView[] } | { supported: false; reason: string };

export interface Choice {
  id: string;
  name: string;
  /** The field's type in the destination (text, date, url, …). */
  type?: string;
}

/** What a mapping can point at, read live from the destination for the console's editor. */
export interface MappingChoices {
  /** Bitrix24 pipelines (categories) and their stages; amoCRM pipelines and their statuses. */
  pipelines?: Array<Choice & { stages: Choice[] }>;
  /** Bitrix24 UF_CRM_* deal fields; amoCRM lead custom fields. */
  fields?: Choice[];
  /** Google Sheets: the spreadsheet's tabs and the header row of the chosen (or first) one. */
  tabs?: string[];
  sheetName?: string;
  header?: string[];
}

export interface CrmConnector {
  readonly type: string;
  rateLimit(connection: ConnectionContext): RateLimitRule;
  maxBatchSize(connection: ConnectionContext): number;
  // Tokens the engine reserves before it claims `items` rows; what the call did not use is given back.
  requestsPerCall?(connection: ConnectionContext, items: number): number;
  // Idempotent: a retry or replay must not duplicate an effect. A thrown ConnectorError fails every item.
  deliver(connection: ConnectionContext, items: DeliveryItem[]): Promise<DeliveryItemResult[]>;
  plan(connection: ConnectionContext, event: PaymentEventV1): Promise<unknown>;
  check(connection: ConnectionContext): Promise<void>;
  /**
   * Reads back what the destination shows for these orders, in batches, each request paced
   * through `ConnectionContext.pace`. A destination that cannot be read says so (unsupported).
   */
  read(connection: ConnectionContext, orders: ReadOrder[]): Promise<CrmReadResult>;
  /** Reads what the mapping editor offers; a failure is a ConnectorError classified by kind. */
  choices?(connection: ConnectionContext): Promise<MappingChoices>;
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
