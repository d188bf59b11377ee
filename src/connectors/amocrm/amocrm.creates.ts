import { ConnectorError } from '../crm-connector';
import type { AmocrmClient } from './amocrm.client';
import { leadsCreatedBetween } from './amocrm.lookup';
import type { AmoLead } from './amocrm.types';

const CLOCK_SKEW_MS = 5 * 60_000;
const CROWDED_RETRY_MS = 60_000;

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
  const settleMs = 2 * client.timeoutMs;
  const times = [...doubts.values()].map((d) => d.getTime());
  const { found, complete } = await leadsCreatedBetween(
    client,
    fieldId,
    new Set(doubts.keys()),
    new Date(Math.min(...times) - CLOCK_SKEW_MS),
    new Date(Math.max(...times) + settleMs + CLOCK_SKEW_MS),
  );
  out.found = found;
  for (const [orderId, sentAt] of doubts) {
    if (found.has(orderId)) continue;
    const settled = sentAt.getTime() + settleMs;
    if (!complete || now < settled) {
      const why = complete
        ? `its answer was lost ${now - sentAt.getTime()} ms ago and it may still land`
        : 'too many leads were created around it to look through';
      out.waiting.set(
        orderId,
        new ConnectorError(
          'amocrm',
          'retryable',
          'CREATE_IN_DOUBT',
          `amocrm: a lead create for order ${orderId} is in doubt: ${why}`,
          undefined,
          complete ? settled - now : CROWDED_RETRY_MS,
        ),
      );
    }
  }
  return out;
}
