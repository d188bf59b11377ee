import type { ConnectionContext } from '../crm-connector';

/** What an inbound CRM event claims; a hint the worker checks by reading the entity itself. */
export interface InboundHint {
  eventType: string;
  /** The deals or leads it names (an amoCRM webhook may carry several), each with its dedup key. */
  items: Array<{ entityId: string; dedupKey: string }>;
  /** Identities of the sending account, matched against `accountIds` of a connection. */
  accountIds: string[];
  /** Bitrix24 only: the `application_token` the event carries. */
  applicationToken?: string;
}

/** The deal or lead as read through the API: the only facts a link is made from. */
export interface EntitySnapshot {
  entityId: string;
  inTrigger: boolean;
  /** Major units as the CRM states them, e.g. "12500.00"; null when the entity has none. */
  amount: string | null;
  currency: string | null;
  phone: string | null;
  /** When the entity last moved stage, if the CRM says (Bitrix24 `MOVED_TIME`). */
  stageEnteredAt?: string;
}

export interface LinkTriggerView {
  maxAmount?: number;
  language?: 'hy' | 'ru' | 'en';
}

export interface LinkWriteBack {
  linkId: string;
  url: string;
  text: string;
}

/** A CRM whose managers can ask for a payment link by moving a deal or lead to a stage. */
export interface CrmLinkSource {
  readonly type: string;
  readonly refKey: string;
  readonly entityName: string;
  trigger(ctx: ConnectionContext): LinkTriggerView | undefined;
  /** Stable per account and entity, within VPOS order-id rules. */
  orderId(ctx: ConnectionContext, entityId: string): string;
  accountIds(account: Record<string, unknown>): string[];
  parseInbound(body: unknown): InboundHint;
  read(ctx: ConnectionContext, entityId: string): Promise<EntitySnapshot>;
  writeLink(ctx: ConnectionContext, entityId: string, link: LinkWriteBack): Promise<void>;
  note(ctx: ConnectionContext, entityId: string, text: string): Promise<void>;
  /** Subscribes `destination` to the entity's stage changes (idempotent); false if not possible. */
  subscribe(ctx: ConnectionContext, destination: string): Promise<boolean>;
  unsubscribe(ctx: ConnectionContext, destination: string): Promise<void>;
  /**
   * For an account whose event token the hub does not hold yet (a Bitrix24 app): true when the
   * event proves it came from the account (its access token works there).
   */
  proveSender?(ctx: ConnectionContext, body: unknown): Promise<boolean>;
}

export const CRM_LINK_SOURCES = Symbol('CRM_LINK_SOURCES');

export function formValue(body: unknown, path: string[]): unknown {
  let at: unknown = body;
  for (const key of path) {
    if (!at || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

export function formText(body: unknown, path: string[]): string | undefined {
  const at = formValue(body, path);
  return typeof at === 'string' ? at : typeof at === 'number' ? String(at) : undefined;
}

export function scalarText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}
