import type { PaymentEventV1 } from '../../payments/payment-event';
import { ConnectorError } from '../crm-connector';
import type { AmocrmSettings } from './amocrm.settings';
import type { AmocrmClient } from './amocrm.client';
import { leadsCreatedBetween } from './amocrm.lookup';
import type { AmoLead } from './amocrm.types';

const CLOCK_SKEW_MS = 5 * 60_000;
const CROWDED_RETRY_MS = 60_000;
// Another attempt holds the create: soon it has recorded the lead, or its doubt is ours to settle.
export const OTHER_RETRY_MS = 5_000;

export interface Doubts {
  found: Map<string, AmoLead>;
  waiting: Map<string, ConnectorError>;
}

/**
 * Finds the leads of creates whose answer was lost (`sentAt` per order). A create can still land
 * until twice the client's timeout after it was sent: until then a miss waits, never a second create.
 */
export async function resolveDoubts(
  client: AmocrmClient,
  fieldId: number,
  doubts: Map<string, Date>,
  now = Date.now(),
): Promise<Doubts> {
  const out: Doubts = { found: new Map(), waiting: new Map() };
  if (doubts.size === 0) return out;
  const settle = settleMs(client);
  const times = [...doubts.values()].map((d) => d.getTime());
  const { found, complete } = await leadsCreatedBetween(
    client,
    fieldId,
    new Set(doubts.keys()),
    new Date(Math.min(...times) - CLOCK_SKEW_MS),
    new Date(Math.max(...times) + settle + CLOCK_SKEW_MS),
  );
  out.found = found;
  for (const [orderId, sentAt] of doubts) {
    if (found.has(orderId)) continue;
    const settled = sentAt.getTime() + settle;
    if (!complete || now < settled) {
      const why = complete
        ? `its answer was lost ${now - sentAt.getTime()} ms ago and it may still land`
        : 'too many leads were created around it to look through';
      out.waiting.set(orderId, inDoubt(orderId, why, complete ? settled - now : CROWDED_RETRY_MS));
    }
  }
  return out;
}

export function settleMs(client: AmocrmClient): number {
  return 2 * client.timeoutMs;
}

export function inDoubt(orderId: string, why: string, retryAfterMs: number): ConnectorError {
  return new ConnectorError(
    'amocrm',
    'retryable',
    'CREATE_IN_DOUBT',
    `amocrm: a lead create for order ${orderId} is in doubt: ${why}`,
    undefined,
    retryAfterMs,
  );
}

export function noLead(event: PaymentEventV1, settings: AmocrmSettings): ConnectorError {
  const leadId = event.crm?.amocrmLeadId;
  const why = [
    leadId ? `lead ${leadId} from the payment does not exist` : 'the payment names no lead',
    settings.orderIdField === undefined
      ? 'settings.orderIdField is not set'
      : `no lead has it in field ${settings.orderIdField}`,
    'createLeads is off',
  ];
  return new ConnectorError(
    'amocrm',
    'permanent',
    'NO_LEAD',
    `amocrm: no lead for order ${event.orderId} (${why.join('; ')})`,
  );
}
