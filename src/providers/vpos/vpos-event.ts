import type { VposFieldMap } from './vpos-fields';
import { readMinor, readPath, readString } from './field-path';

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

const IDENTIFIER_FIELDS = ['eventId', 'eventType', 'sessionId', 'orderId', 'status'] as const;
// No control, format, private-use or surrogate code points; a lone surrogate is `Cs` in u mode.
const IDENTIFIER = /^[^\p{Cc}\p{Cf}\p{Co}\p{Cs}]{1,128}$/u;

export function identifierProblem(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return undefined;
  if (typeof value !== 'string') return `${name}: must be a string`;
  return IDENTIFIER.test(value.trim()) ? undefined : `${name}: must be 1-128 printable characters`;
}

export function vposIdentifierProblem(body: unknown, fields: VposFieldMap): string | undefined {
  for (const key of IDENTIFIER_FIELDS) {
    const problem = identifierProblem(fields[key], readPath(body, fields[key]));
    if (problem) return problem;
  }
  return undefined;
}

function parseTimestamp(value: string): Date | undefined {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  const date = Number.isNaN(n) ? new Date(value) : new Date(n < 1e12 ? n * 1000 : n);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
