import type { CrmOrderView, CrmReadResult, ReadOrder } from '../crm-connector';
import type { AmocrmClient } from './amocrm.client';
import { leadByOrderId, notedMarkers } from './amocrm.lookup';
import { AmocrmSettings, statusTarget } from './amocrm.settings';
import type { AmoLead, AmoList } from './amocrm.types';
import { noteMarker } from '../shared/payment-note';

const PAGE = 250;

/** Leads by id, 250 ids per filtered list (every page of it). */
async function leadsByIds(client: AmocrmClient, ids: number[]): Promise<Map<number, AmoLead>> {
  const found = new Map<number, AmoLead>();
  for (let i = 0; i < ids.length; i += PAGE) {
    const part = ids.slice(i, i + PAGE);
    for (let page = 1; ; page++) {
      const q = new URLSearchParams({ limit: String(PAGE), page: String(page) });
      for (const id of part) q.append('filter[id][]', String(id));
      const list = await client.get<AmoList<'leads', AmoLead>>('/api/v4/leads', q);
      for (const lead of list?._embedded?.leads ?? []) {
        if (part.includes(lead.id)) found.set(lead.id, lead);
      }
      if (!list?._links?.next) break;
    }
  }
  return found;
}

function inStatus(settings: AmocrmSettings, order: ReadOrder, lead: AmoLead): boolean | null {
  const target = statusTarget(settings, order.status);
  if (!target) return null;
  if (target.pipelineId !== undefined && target.pipelineId !== lead.pipeline_id) return false;
  return lead.status_id === target.statusId;
}

/**
 * Leads of the orders: by the lead id the hub recorded (filtered lists of 250), else by the
 * order id field (one search per order, paced); then whether our note of the event is there.
 */
export async function readLeads(
  client: AmocrmClient,
  settings: AmocrmSettings,
  orders: ReadOrder[],
  exponents: Record<string, number>,
): Promise<CrmReadResult> {
  const hinted = orders.filter((o) => o.externalId && /^\d+$/.test(o.externalId));
  const leads = await leadsByIds(client, [...new Set(hinted.map((o) => Number(o.externalId)))]);
  const byOrder = new Map<string, AmoLead>();
  for (const o of hinted) {
    const lead = leads.get(Number(o.externalId));
    if (lead) byOrder.set(o.orderId, lead);
  }
  if (settings.orderIdField !== undefined) {
    for (const o of orders.filter((x) => !byOrder.has(x.orderId))) {
      const lead = await leadByOrderId(client, settings.orderIdField, o.orderId);
      if (lead) byOrder.set(o.orderId, lead);
    }
  }
  const asked = orders.filter((o) => o.eventId && byOrder.has(o.orderId));
  const noted = new Set<string>();
  for (let i = 0; i < asked.length; i += PAGE) {
    const part = asked.slice(i, i + PAGE);
    const found = await notedMarkers(
      client,
      part.map((o) => byOrder.get(o.orderId)!.id),
      part.map((o) => noteMarker(o.eventId!)),
    );
    for (const m of found) noted.add(m);
  }
  const views: CrmOrderView[] = orders.map((o) => {
    const lead = byOrder.get(o.orderId);
    if (!lead) return { orderId: o.orderId, found: false };
    const exponent = exponents[o.currency ?? ''] ?? 2;
    return {
      orderId: o.orderId,
      found: true,
      externalId: String(lead.id),
      state: `${lead.pipeline_id}:${lead.status_id}`,
      inStatus: inStatus(settings, o, lead),
      // amoCRM keeps no currency per lead: the price is in the account's currency.
      amountMinor: lead.price == null ? null : Math.round(lead.price * 10 ** exponent),
      currency: null,
      noteFound: o.eventId ? noted.has(noteMarker(o.eventId)) : undefined,
    };
  });
  return { supported: true, orders: views };
}
