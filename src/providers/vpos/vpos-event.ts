import type { VposFieldMap } from '../../config/app-config';
import { readMinor, readString } from './field-path';

/** What a VPOS webhook claims. A hint only: the status lookup is the truth. */
export interface VposWebhookClaim {
  eventId?: string;
  type?: string;
  createdAt?: Date;
  sessionId?: string;
  orderId?: string;
  amountMinor?: number;
  currency?: string;
  status?: string;
}

export function parseVposWebhook(body: unknown, fields: VposFieldMap): VposWebhookClaim {
  const createdRaw = readString(body, fields.eventCreatedAt);
  const created = createdRaw ? parseTimestamp(createdRaw) : undefined;
  return {
    eventId: readString(body, fields.eventId),
    type: readString(body, fields.eventType),
    createdAt: created,
    sessionId: readString(body, fields.sessionId),
    orderId: readString(body, fields.orderId),
    amountMinor: readMinor(body, fields.amountMinor),
    currency: readString(body, fields.currency)?.toUpperCase(),
    status: readString(body, fields.status),
  };
}

/** ISO strings or unix seconds/milliseconds. */
function parseTimestamp(value: string): Date | undefined {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  const date = Number.isNaN(n) ? new Date(value) : new Date(n < 1e12 ? n * 1000 : n);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
