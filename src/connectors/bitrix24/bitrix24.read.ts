import type { CrmOrderView, CrmReadResult, ReadOrder } from '../crm-connector';
import { Bitrix24Client, MAX_BATCH_COMMANDS } from './bitrix24.client';
import { chunkEntries, Command, originator } from './bitrix24.lookup';
import { commentMarker } from './bitrix24.mapper';
import { BITRIX24_DEFAULTS, Bitrix24Settings } from './bitrix24.settings';

type DealRow = Record<string, string | null | undefined>;

const PAGE = 50;

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

async function listInBatches(
  client: Bitrix24Client,
  commands: Record<string, Command>,
): Promise<Map<string, DealRow[]>> {
  const out = new Map<string, DealRow[]>();
  for (const part of chunkEntries(commands, MAX_BATCH_COMMANDS)) {
    const res = await client.batch(part);
    for (const key of Object.keys(part)) {
      if (res.errors[key]) throw res.errors[key];
      const rows = [...((res.result[key] as DealRow[] | undefined) ?? [])];
      if (res.next[key] !== undefined) {
        rows.push(
          ...(await client.listAll<DealRow>(part[key].method, part[key].params)).slice(PAGE),
        );
      }
      out.set(key, rows);
    }
  }
  return out;
}

function inStatus(settings: Bitrix24Settings, order: ReadOrder, deal: DealRow): boolean | null {
  const mapped = settings.stages?.[order.status as keyof NonNullable<Bitrix24Settings['stages']>];
  const stage = String(deal.STAGE_ID ?? '');
  if (!mapped) return order.status === 'paid' ? deal.STAGE_SEMANTIC_ID === 'S' : null;
  const category = Number(deal.CATEGORY_ID ?? 0);
  return stage === mapped || (category > 0 && stage === `C${category}:${mapped}`);
}

/**
 * Deals of the orders: by the id the hub recorded, else by the order id field, 50 ids per
 * `crm.deal.list` and 50 lists per batch request; then the timeline comments of the deals whose
 * event marker is asked for, one list per deal, batched the same way.
 */
export async function readDeals(
  client: Bitrix24Client,
  settings: Bitrix24Settings,
  orders: ReadOrder[],
  exponents: Record<string, number>,
): Promise<CrmReadResult> {
  const orderField = settings.orderIdField ?? BITRIX24_DEFAULTS.orderIdField;
  const select = [
    'ID',
    'CATEGORY_ID',
    'STAGE_ID',
    'STAGE_SEMANTIC_ID',
    'OPPORTUNITY',
    'CURRENCY_ID',
  ];
  if (orderField !== 'ORIGIN_ID') select.push(orderField);
  else select.push('ORIGIN_ID');
  const byId = orders.filter((o) => o.externalId && /^\d+$/.test(o.externalId));
  const byOrder = orders.filter((o) => !byId.includes(o));
  const commands: Record<string, Command> = {};
  chunk(byId, PAGE).forEach((part, n) => {
    commands[`id${n}`] = {
      method: 'crm.deal.list',
      params: { filter: { '@ID': part.map((o) => o.externalId) }, select, order: { ID: 'ASC' } },
    };
  });
  chunk(byOrder, PAGE).forEach((part, n) => {
    const ids = part.map((o) => o.orderId);
    commands[`o${n}`] = {
      method: 'crm.deal.list',
      params: {
        filter:
          orderField === 'ORIGIN_ID'
            ? { ORIGINATOR_ID: originator(settings), '@ORIGIN_ID': ids }
            : { [`@${orderField}`]: ids },
        select,
        order: { ID: 'ASC' },
      },
    };
  });
  const deals = new Map<string, DealRow>();
  const byDealId = new Map(byId.map((o) => [o.externalId!, o.orderId]));
  for (const rows of (await listInBatches(client, commands)).values()) {
    for (const row of rows) {
      const orderId = byDealId.get(String(row.ID)) ?? row[orderField];
      // The oldest deal wins when several carry the order id (rows come sorted by ID).
      if (orderId && !deals.has(orderId)) deals.set(orderId, row);
    }
  }
  const wanted = orders.filter((o) => o.eventId && deals.has(o.orderId));
  const comments: Record<string, Command> = {};
  wanted.forEach((o, i) => {
    comments[`c${i}`] = {
      method: 'crm.timeline.comment.list',
      params: {
        filter: { ENTITY_ID: Number(deals.get(o.orderId)!.ID), ENTITY_TYPE: 'deal' },
        select: ['ID', 'COMMENT'],
      },
    };
  });
  const keyOf = new Map(wanted.map((o, i) => [o.orderId, `c${i}`]));
  const texts = await listInBatches(client, comments);
  const views: CrmOrderView[] = orders.map((o) => {
    const deal = deals.get(o.orderId);
    if (!deal) return { orderId: o.orderId, found: false };
    const currency = deal.CURRENCY_ID ?? null;
    const exponent = exponents[currency ?? ''] ?? 2;
    const key = keyOf.get(o.orderId);
    return {
      orderId: o.orderId,
      found: true,
      externalId: String(deal.ID),
      state: deal.STAGE_ID ?? null,
      inStatus: inStatus(settings, o, deal),
      amountMinor:
        deal.OPPORTUNITY == null ? null : Math.round(Number(deal.OPPORTUNITY) * 10 ** exponent),
      currency,
      noteFound:
        key === undefined
          ? undefined
          : (texts.get(key) ?? []).some((c) =>
              String(c.COMMENT ?? '').includes(commentMarker(o.eventId!)),
            ),
    };
  });
  return { supported: true, orders: views };
}
