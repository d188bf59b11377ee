import { ConnectorError, DeliveryItem } from '../crm-connector';
import { Bitrix24Client, MAX_BATCH_COMMANDS } from './bitrix24.client';
import { commentMarker, DealRef } from './bitrix24.mapper';
import { BITRIX24_DEFAULTS, Bitrix24Settings } from './bitrix24.settings';

type DealRow = Record<string, string | null | undefined>;
export type Command = { method: string; params: Record<string, unknown> };

/** Order ids (or deal ids) in one `crm.deal.list` filter: one page of answers. */
export const LOOKUP_ORDERS = 50;
const DEAL_SELECT = ['ID', 'CATEGORY_ID', 'STAGE_ID', 'STAGE_SEMANTIC_ID', 'ORIGIN_ID'];

export function permanent(code: string, message: string): ConnectorError {
  return new ConnectorError('bitrix24', 'permanent', code, `bitrix24: ${message}`);
}

export function originator(settings: Bitrix24Settings): string {
  return settings.originatorId ?? BITRIX24_DEFAULTS.originatorId;
}

type Found = { found: Map<string, DealRef>; failed: Map<string, ConnectorError> };

// A recorded deal that is gone is looked up by its order id after.
export async function findDeals(
  client: Bitrix24Client,
  settings: Bitrix24Settings,
  items: DeliveryItem[],
  recorded: Map<string, number> = new Map(),
): Promise<Found> {
  const out: Found = { found: new Map(), failed: new Map() };
  const byId = new Map<string, DeliveryItem[]>();
  const byOrder = new Map<string, DeliveryItem[]>();
  const fromRecord: DeliveryItem[] = [];
  for (const item of items) {
    const dealId = item.event.crm.bitrix24DealId;
    const known = recorded.get(item.event.orderId);
    if (dealId !== undefined && !/^\d+$/.test(dealId)) {
      out.failed.set(
        item.deliveryId,
        permanent('DEAL_NOT_FOUND', `crm.bitrix24DealId "${dealId}" is not a deal id`),
      );
    } else if (dealId !== undefined) push(byId, dealId, item);
    else if (known !== undefined) {
      push(byId, String(known), item);
      fromRecord.push(item);
    } else push(byOrder, item.event.orderId, item);
  }
  await lookUp(client, settings, byId, byOrder, out);
  const gone = fromRecord.filter(
    (i) => !out.found.has(i.deliveryId) && !out.failed.has(i.deliveryId),
  );
  const again = new Map<string, DeliveryItem[]>();
  for (const item of gone) push(again, item.event.orderId, item);
  if (again.size > 0) await lookUp(client, settings, new Map(), again, out);
  for (const [dealId, waiting] of byId) {
    for (const item of waiting) {
      if (fromRecord.includes(item)) continue;
      if (!out.found.has(item.deliveryId) && !out.failed.has(item.deliveryId)) {
        out.failed.set(
          item.deliveryId,
          permanent('DEAL_NOT_FOUND', `deal ${dealId} (crm.bitrix24DealId) was not found`),
        );
      }
    }
  }
  return out;
}

async function lookUp(
  client: Bitrix24Client,
  settings: Bitrix24Settings,
  byId: Map<string, DeliveryItem[]>,
  byOrder: Map<string, DeliveryItem[]>,
  { found, failed }: Found,
): Promise<void> {
  const orderField = settings.orderIdField ?? BITRIX24_DEFAULTS.orderIdField;
  const select = orderField === 'ORIGIN_ID' ? DEAL_SELECT : [...DEAL_SELECT, orderField];
  const commands: Record<string, Command> = {};
  const waiting: Record<string, DeliveryItem[]> = {};
  const lookup = (key: string, filter: Record<string, unknown>, of: DeliveryItem[]) => {
    commands[key] = { method: 'crm.deal.list', params: { filter, select, order: { ID: 'ASC' } } };
    waiting[key] = of;
  };
  chunk([...byId.keys()], LOOKUP_ORDERS).forEach((ids, n) =>
    lookup(
      `id${n}`,
      { '@ID': ids },
      ids.flatMap((id) => byId.get(id)!),
    ),
  );
  chunk([...byOrder.keys()], LOOKUP_ORDERS).forEach((orders, n) =>
    lookup(
      `o${n}`,
      orderField === 'ORIGIN_ID'
        ? { ORIGINATOR_ID: originator(settings), '@ORIGIN_ID': orders }
        : { [`@${orderField}`]: orders },
      orders.flatMap((o) => byOrder.get(o)!),
    ),
  );
  const rows: DealRow[] = [];
  for (const part of chunkEntries(commands, MAX_BATCH_COMMANDS)) {
    const out = await client.batch(part);
    for (const key of Object.keys(part)) {
      const error = out.errors[key];
      if (error) {
        for (const item of waiting[key]) failed.set(item.deliveryId, error);
        continue;
      }
      rows.push(...((out.result[key] as DealRow[] | undefined) ?? []));
      // More than a page: the same order id on several deals. Read the rest.
      if (out.next[key] !== undefined) {
        const all = await client.listAll<DealRow>(part[key].method, part[key].params);
        rows.push(...all.slice(50));
      }
    }
  }
  for (const row of rows) {
    const deal: DealRef = {
      id: Number(row.ID),
      categoryId: Number(row.CATEGORY_ID ?? 0),
      stageId: String(row.STAGE_ID ?? ''),
      semantic: String(row.STAGE_SEMANTIC_ID ?? 'P'),
    };
    for (const item of byId.get(String(row.ID)) ?? []) found.set(item.deliveryId, deal);
    const orderId = row[orderField];
    // The oldest deal wins when several carry the order id (rows come sorted by ID).
    for (const item of orderId ? (byOrder.get(orderId) ?? []) : []) {
      if (!found.has(item.deliveryId)) found.set(item.deliveryId, deal);
    }
  }
}

// Only a retry can find one: a first delivery costs no extra request.
export async function commentedEvents(
  client: Bitrix24Client,
  items: DeliveryItem[],
  deals: Map<string, DealRef>,
): Promise<Set<string>> {
  const retried = items.filter((i) => i.attempt > 1 && deals.has(i.deliveryId));
  const dealIds = [...new Set(retried.map((i) => deals.get(i.deliveryId)!.id))];
  const commented = new Set<string>();
  const commands = Object.fromEntries(
    dealIds.map((id) => [
      `c${id}`,
      {
        method: 'crm.timeline.comment.list',
        params: { filter: { ENTITY_ID: id, ENTITY_TYPE: 'deal' }, select: ['ID', 'COMMENT'] },
      },
    ]),
  );
  const texts: string[] = [];
  for (const part of chunkEntries(commands, MAX_BATCH_COMMANDS)) {
    const out = await client.batch(part);
    for (const key of Object.keys(part)) {
      if (out.errors[key]) throw out.errors[key];
      const rows = (out.result[key] as Array<{ COMMENT?: string }> | undefined) ?? [];
      if (out.next[key] !== undefined) {
        rows.push(
          ...(await client.listAll<{ COMMENT?: string }>(part[key].method, part[key].params)).slice(
            50,
          ),
        );
      }
      texts.push(...rows.map((r) => r.COMMENT ?? ''));
    }
  }
  for (const item of retried) {
    const marker = commentMarker(item.event.id);
    if (texts.some((t) => t.includes(marker))) commented.add(item.event.id);
  }
  return commented;
}

export function describeLookup(settings: Bitrix24Settings): string {
  const field = settings.orderIdField ?? BITRIX24_DEFAULTS.orderIdField;
  return field === 'ORIGIN_ID'
    ? `ORIGINATOR_ID ${settings.originatorId ?? BITRIX24_DEFAULTS.originatorId}, ORIGIN_ID`
    : field;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export function chunkEntries<V>(map: Record<string, V>, size: number): Array<Record<string, V>> {
  return chunk(Object.entries(map), size).map((part) => Object.fromEntries(part));
}
