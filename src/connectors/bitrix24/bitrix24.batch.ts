import { ConnectorError, DeliveryItem, DeliveryItemResult } from '../crm-connector';
import type { StageCatalog } from './bitrix24.catalog';
import { Bitrix24Client, MAX_BATCH_COMMANDS } from './bitrix24.client';
import { Command, describeLookup, permanent } from './bitrix24.lookup';
import { commentText, dealChange, DealRef, newDealFields } from './bitrix24.mapper';
import type { Bitrix24Settings } from './bitrix24.settings';

export interface Write {
  item: DeliveryItem;
  commands: Record<string, Command>;
  dealId?: number;
  add?: string;
  detail?: string;
}

export function planWrite(
  item: DeliveryItem,
  deal: DealRef | undefined,
  settings: Bitrix24Settings,
  catalog: StageCatalog,
  commented: Set<string>,
  exponent: number,
): Write | ConnectorError {
  const n = item.deliveryId.replace(/-/g, '').slice(0, 12);
  const comment = (entityId: number | string): Command => ({
    method: 'crm.timeline.comment.add',
    params: {
      fields: {
        ENTITY_ID: entityId,
        ENTITY_TYPE: 'deal',
        COMMENT: commentText(item.event, item.link, exponent, settings.noteLanguage),
      },
    },
  });
  if (deal) {
    const change = dealChange(item.event, deal, item.link, settings, catalog, exponent);
    const commands: Record<string, Command> = {};
    if (Object.keys(change.fields).length) {
      commands[`u${n}`] = {
        method: 'crm.deal.update',
        params: { id: deal.id, fields: change.fields, params: { REGISTER_SONET_EVENT: 'N' } },
      };
    }
    if (!commented.has(item.event.id)) commands[`m${n}`] = comment(deal.id);
    return { item, commands, dealId: deal.id, detail: change.stageNote };
  }
  if (!settings.createDeals) {
    return permanent(
      'DEAL_NOT_FOUND',
      `no deal for order ${item.event.orderId} (${describeLookup(settings)}); set crm.bitrix24DealId on the payment link or allow settings.createDeals`,
    );
  }
  const add = `a${n}`;
  return {
    item,
    add,
    detail: 'deal created',
    commands: {
      [add]: {
        method: 'crm.deal.add',
        params: {
          fields: newDealFields(item.event, item.link, settings, catalog, exponent),
          params: { REGISTER_SONET_EVENT: 'N' },
        },
      },
      [`m${n}`]: comment(`$result[${add}]`),
    },
  };
}

// Twice the client's timeout: an add sent before that may still land.
export const DEAL_CREATE_SETTLE_MS = 60_000;

/** Only one attempt at a time may add an order's deal; the others wait for it (retryable). */
export async function claimCreates(
  writes: Write[],
  claim: (orderIds: string[]) => Promise<Set<string>>,
): Promise<{ writes: Write[]; refused: DeliveryItemResult[] }> {
  const adds = writes.filter((w) => w.add);
  const mine = adds.length ? await claim(adds.map((w) => w.item.event.orderId)) : new Set();
  const refused = adds.filter((w) => !mine.has(w.item.event.orderId));
  return {
    writes: writes.filter((w) => !refused.includes(w)),
    refused: refused.map((w) => ({
      deliveryId: w.item.deliveryId,
      outcome: 'failed',
      error: new ConnectorError(
        'bitrix24',
        'retryable',
        'CREATE_IN_DOUBT',
        `bitrix24: another attempt has sent the deal of order ${w.item.event.orderId}`,
        undefined,
        5_000,
      ),
    })),
  };
}

/** Write batches of at most 50 commands, an event's commands always in the same batch. */
export async function runWrites(
  client: Bitrix24Client,
  writes: Write[],
  dealUrl: (dealId: number) => string | undefined,
  created: (deals: Array<{ orderId: string; dealId: number }>) => Promise<void> = async () => {},
): Promise<DeliveryItemResult[]> {
  const results: DeliveryItemResult[] = [];
  const batches: Write[][] = [];
  let size = MAX_BATCH_COMMANDS;
  for (const w of writes) {
    const count = Object.keys(w.commands).length;
    if (size + count > MAX_BATCH_COMMANDS) batches.push([]);
    size = size + count > MAX_BATCH_COMMANDS ? count : size + count;
    batches.at(-1)!.push(w);
  }
  let stopped: ConnectorError | undefined;
  for (const batch of batches) {
    const commands = Object.assign({}, ...batch.map((w) => w.commands)) as Record<string, Command>;
    let out: Awaited<ReturnType<Bitrix24Client['batch']>> | undefined;
    if (!stopped && Object.keys(commands).length) {
      try {
        out = await client.batch(commands);
      } catch (err) {
        if (!(err instanceof ConnectorError)) throw err;
        // The rest would meet the same refusal (limit, token): they retry together.
        stopped = err;
      }
    }
    // Recorded at once: a crash before the commit must not leave the retry to the order search.
    await created(
      batch
        .filter((w) => w.add && out?.result[w.add] !== undefined && !out.errors[w.add])
        .map((w) => ({ orderId: w.item.event.orderId, dealId: Number(out!.result[w.add!]) })),
    );
    for (const w of batch) {
      const keys = Object.keys(w.commands);
      const error = stopped ?? keys.map((k) => out?.errors[k]).find((e) => e !== undefined);
      if (error && keys.length) {
        results.push({ deliveryId: w.item.deliveryId, outcome: 'failed', error });
        continue;
      }
      const dealId = w.dealId ?? Number(out?.result[w.add!]);
      results.push({
        deliveryId: w.item.deliveryId,
        outcome: 'delivered',
        externalId: String(dealId),
        externalUrl: dealUrl(dealId),
        detail: keys.length ? w.detail : 'already applied',
      });
    }
  }
  return results;
}
