import { ConnectorError } from '../crm-connector';
import type { AmocrmClient } from './amocrm.client';
import type { AmoCustomField, AmoLead, AmoList, AmoNote } from './amocrm.types';

const SEARCH_PAGES = 4;
const NOTE_PAGES = 8;
const FIELD_PAGES = 10;
const WINDOW_PAGES = 20;

// The filtered list is checked, not trusted; ids it missed are fetched one by one.
export async function leadsById(
  client: AmocrmClient,
  ids: number[],
): Promise<Map<number, AmoLead>> {
  const unique = [...new Set(ids)];
  const found = new Map<number, AmoLead>();
  if (unique.length > 1) {
    const q = new URLSearchParams({ limit: '250' });
    for (const id of unique) q.append('filter[id][]', String(id));
    const list = await client.get<AmoList<'leads', AmoLead>>('/api/v4/leads', q);
    for (const lead of list?._embedded?.leads ?? []) {
      if (unique.includes(lead.id)) found.set(lead.id, lead);
    }
  }
  for (const id of unique.filter((i) => !found.has(i))) {
    try {
      const lead = await client.get<AmoLead>(`/api/v4/leads/${id}`);
      if (lead) found.set(id, lead);
    } catch (err) {
      if (!(err instanceof ConnectorError && err.httpStatus === 404)) throw err;
    }
  }
  return found;
}

// Custom-field filters are alpha and not on every account: free-text `query`, then an exact check.
export async function leadByOrderId(
  client: AmocrmClient,
  fieldId: number,
  orderId: string,
): Promise<AmoLead | undefined> {
  const matches: AmoLead[] = [];
  for (let page = 1; page <= SEARCH_PAGES; page++) {
    const q = new URLSearchParams({ query: orderId, limit: '250', page: String(page) });
    const list = await client.get<AmoList<'leads', AmoLead>>('/api/v4/leads', q);
    matches.push(...(list?._embedded?.leads ?? []).filter((l) => holds(l, fieldId, orderId)));
    if (!list?._links?.next) break;
  }
  return matches.sort((a, b) => a.id - b.id)[0];
}

/** Order ids in one filtered list: keeps the URL near 6 kB. */
const FILTER_ORDERS = 100;

/**
 * Many orders' leads in one list through the custom-field filter, each match checked exactly.
 * `honoured` is false when the account dropped the filter (leads came back that hold none of the
 * values) or nothing came back: only then is a miss worth a free-text search.
 */
export async function leadsByOrderIds(
  client: AmocrmClient,
  fieldId: number,
  orderIds: string[],
): Promise<{ found: Map<string, AmoLead>; honoured: boolean }> {
  const found = new Map<string, AmoLead>();
  let honoured = true;
  const unique = [...new Set(orderIds)];
  for (let i = 0; i < unique.length; i += FILTER_ORDERS) {
    const part = unique.slice(i, i + FILTER_ORDERS);
    const leads: AmoLead[] = [];
    for (let page = 1; page <= SEARCH_PAGES; page++) {
      const q = new URLSearchParams({ limit: '250', page: String(page), 'order[id]': 'asc' });
      for (const id of part) q.append(`filter[custom_fields_values][${fieldId}][]`, id);
      const list = await client.get<AmoList<'leads', AmoLead>>('/api/v4/leads', q);
      leads.push(...(list?._embedded?.leads ?? []));
      if (!list?._links?.next) break;
    }
    if (leads.length === 0) honoured = false;
    for (const lead of leads.sort((a, b) => a.id - b.id)) {
      const orderId = part.find((o) => holds(lead, fieldId, o));
      if (orderId === undefined) honoured = false;
      else if (!found.has(orderId)) found.set(orderId, lead);
    }
  }
  return { found, honoured };
}

function holds(lead: AmoLead, fieldId: number, value: string): boolean {
  const field = lead.custom_fields_values?.find((f) => f.field_id === fieldId);
  return !!field?.values.some((v) => String(v.value) === value);
}

export async function notedMarkers(
  client: AmocrmClient,
  leadIds: number[],
  markers: string[],
): Promise<Set<string>> {
  const ids = new Set(leadIds);
  const found = new Set<string>();
  for (let page = 1; page <= NOTE_PAGES && found.size < markers.length; page++) {
    const q = new URLSearchParams({
      'filter[note_type]': 'common',
      'order[id]': 'desc',
      limit: '250',
      page: String(page),
    });
    for (const id of ids) q.append('filter[entity_id][]', String(id));
    const list = await client.get<AmoList<'notes', AmoNote>>('/api/v4/leads/notes', q);
    for (const note of list?._embedded?.notes ?? []) {
      const text = note.params?.text ?? '';
      if (!ids.has(note.entity_id)) continue;
      for (const m of markers) if (text.includes(m)) found.add(m);
    }
    if (!list?._links?.next) break;
  }
  return found;
}

export async function leadCustomFields(client: AmocrmClient): Promise<AmoCustomField[]> {
  const fields: AmoCustomField[] = [];
  for (let page = 1; page <= FIELD_PAGES; page++) {
    const q = new URLSearchParams({ limit: '250', page: String(page) });
    const list = await client.get<AmoList<'custom_fields', AmoCustomField>>(
      '/api/v4/leads/custom_fields',
      q,
    );
    fields.push(...(list?._embedded?.custom_fields ?? []));
    if (!list?._links?.next) break;
  }
  return fields;
}

// `filter[created_at]` reads the leads table, not the lagging search index.
export async function leadsCreatedBetween(
  client: AmocrmClient,
  fieldId: number,
  orderIds: ReadonlySet<string>,
  from: Date,
  to: Date,
): Promise<{ found: Map<string, AmoLead>; complete: boolean }> {
  const found = new Map<string, AmoLead>();
  const sec = (d: Date) => String(Math.floor(d.getTime() / 1000));
  for (let page = 1; page <= WINDOW_PAGES; page++) {
    const q = new URLSearchParams({
      'filter[created_at][from]': sec(from),
      'filter[created_at][to]': sec(to),
      'order[id]': 'asc',
      limit: '250',
      page: String(page),
    });
    const list = await client.get<AmoList<'leads', AmoLead>>('/api/v4/leads', q);
    for (const lead of list?._embedded?.leads ?? []) {
      for (const orderId of orderIds) {
        if (!found.has(orderId) && holds(lead, fieldId, orderId)) found.set(orderId, lead);
      }
    }
    if (!list?._links?.next) return { found, complete: true };
  }
  return { found, complete: false };
}
