/**
 * GET-side of the CRM API (docs B3): HAL serialization with `_links`/`_embedded`, the `filter[...]`
 * and `query` search, `order[...]`, and `page`/`limit` paging (max 250).
 */
import { nodeList, numberList, type QueryNode } from './http-io';
import type { AmoCustomField, AmoLead, AmoNote, AmoPipeline } from './amocrm-types';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 250;

const link = (href: string): { href: string } => ({ href });

export function leadToApi(lead: AmoLead, base: string, withParams: Set<string>): object {
  const { tags, ...rest } = lead;
  const embedded: Record<string, unknown> = {
    tags: tags.map((t) => ({ id: t.id, name: t.name, color: t.color })),
    companies: [],
  };
  if (withParams.has('contacts')) embedded.contacts = [];
  if (withParams.has('catalog_elements')) embedded.catalog_elements = [];
  return {
    ...rest,
    _links: { self: link(`${base}/api/v4/leads/${lead.id}`) },
    _embedded: embedded,
  };
}

export function noteToApi(note: AmoNote, base: string): object {
  return {
    ...note,
    _links: { self: link(`${base}/api/v4/leads/${note.entity_id}/notes/${note.id}`) },
  };
}

export function pipelineToApi(pipeline: AmoPipeline, base: string, accountId: number): object {
  const { statuses, ...rest } = pipeline;
  const self = `${base}/api/v4/leads/pipelines/${pipeline.id}`;
  return {
    ...rest,
    account_id: accountId,
    _links: { self: link(self) },
    _embedded: {
      statuses: statuses.map((s) => ({
        ...s,
        account_id: accountId,
        _links: { self: link(`${self}/statuses/${s.id}`) },
      })),
    },
  };
}

export function fieldToApi(field: AmoCustomField, base: string, accountId: number): object {
  return {
    id: field.id,
    name: field.name,
    type: field.type,
    account_id: accountId,
    code: field.code,
    sort: field.sort,
    is_api_only: field.is_api_only,
    enums: field.enums,
    group_id: null,
    required_statuses: [],
    is_deletable: true,
    is_predefined: false,
    entity_type: 'leads',
    remind: null,
    triggers: [],
    currency: null,
    hidden_statuses: [],
    chained_lists: null,
    _links: { self: link(`${base}/api/v4/leads/custom_fields/${field.id}`) },
  };
}

/** Matches a scalar, a list (`x[]=`, `x=1,2`) or a `from`/`to` range against a number. */
function matchesNumber(node: QueryNode | undefined, value: number | null): boolean {
  if (node === undefined) return true;
  if (typeof node === 'object' && ('from' in node || 'to' in node)) {
    if (value === null) return false;
    const from = typeof node.from === 'string' ? Number(node.from) : -Infinity;
    const to = typeof node.to === 'string' ? Number(node.to) : Infinity;
    return value >= from && value <= to;
  }
  const list = numberList(node);
  return list.length === 0 || (value !== null && list.includes(value));
}

function fieldText(lead: AmoLead): string[] {
  const values = (lead.custom_fields_values ?? []).flatMap((f) =>
    f.values.map((v) => String(v.value ?? '')),
  );
  return [
    String(lead.id),
    lead.name,
    String(lead.price),
    ...values,
    ...lead.tags.map((t) => t.name),
  ];
}

function matchesCustomFields(node: QueryNode | undefined, lead: AmoLead): boolean {
  if (node === undefined || typeof node === 'string') return true;
  return Object.entries(node).every(([fieldId, wanted]) => {
    const entry = lead.custom_fields_values?.find((f) => String(f.field_id) === fieldId);
    const values = entry?.values ?? [];
    if (typeof wanted === 'object' && ('from' in wanted || 'to' in wanted)) {
      return values.some((v) => matchesNumber(wanted, Number(v.value)));
    }
    const list = nodeList(wanted);
    return values.some((v) => list.includes(String(v.value)) || list.includes(String(v.enum_id)));
  });
}

export interface LeadFilterOptions {
  customFieldFilter: 'supported' | 'ignored';
}

export function filterLeads(
  leads: AmoLead[],
  query: Record<string, QueryNode>,
  options: LeadFilterOptions,
): AmoLead[] {
  const filter = typeof query.filter === 'object' ? query.filter : {};
  const text = typeof query.query === 'string' ? query.query.trim().toLowerCase() : '';
  const names = nodeList(filter.name).map((n) => n.toLowerCase());
  const statusPairs =
    typeof filter.statuses === 'object'
      ? Object.values(filter.statuses).flatMap((s) =>
          typeof s === 'object'
            ? [{ pipeline: Number(s.pipeline_id), status: Number(s.status_id) }]
            : [],
        )
      : [];
  return leads.filter((lead) => {
    if (text !== '' && !fieldText(lead).some((t) => t.toLowerCase().includes(text))) return false;
    if (names.length > 0 && !names.includes(lead.name.toLowerCase())) return false;
    if (
      statusPairs.length > 0 &&
      !statusPairs.some(
        (p) =>
          p.pipeline === lead.pipeline_id &&
          (Number.isNaN(p.status) || p.status === lead.status_id),
      )
    ) {
      return false;
    }
    const numeric: Array<[QueryNode | undefined, number | null]> = [
      [filter.id, lead.id],
      [filter.price, lead.price],
      [filter.pipeline_id, lead.pipeline_id],
      [filter.created_by, lead.created_by],
      [filter.updated_by, lead.updated_by],
      [filter.responsible_user_id, lead.responsible_user_id],
      [filter.created_at, lead.created_at],
      [filter.updated_at, lead.updated_at],
      [filter.closed_at, lead.closed_at],
      [filter.closest_task_at, lead.closest_task_at],
    ];
    if (!numeric.every(([node, value]) => matchesNumber(node, value))) return false;
    if (options.customFieldFilter === 'ignored') return true;
    return matchesCustomFields(filter.custom_fields_values, lead);
  });
}

export function filterNotes(notes: AmoNote[], query: Record<string, QueryNode>): AmoNote[] {
  const filter = typeof query.filter === 'object' ? query.filter : {};
  const types = nodeList(filter.note_type);
  return notes.filter(
    (note) =>
      (types.length === 0 || types.includes(note.note_type)) &&
      matchesNumber(filter.id, note.id) &&
      matchesNumber(filter.entity_id, note.entity_id) &&
      matchesNumber(filter.updated_at, note.updated_at),
  );
}

/** `order[id|created_at|updated_at]=asc|desc`; default by id ascending. */
export function sortBy<T extends { id: number; updated_at: number; created_at?: number }>(
  items: T[],
  query: Record<string, QueryNode>,
): T[] {
  const order = typeof query.order === 'object' ? query.order : {};
  const [key, direction] = Object.entries(order)[0] ?? ['id', 'asc'];
  const sign = direction === 'desc' ? -1 : 1;
  const pick = (item: T): number =>
    key === 'updated_at'
      ? item.updated_at
      : key === 'created_at'
        ? (item.created_at ?? 0)
        : item.id;
  return [...items].sort((a, b) => sign * (pick(a) - pick(b)) || a.id - b.id);
}

export interface Page<T> {
  page: number;
  items: T[];
  links: Record<string, { href: string }>;
}

/** Cuts one page; `limit` is clamped to 1..250, `page` starts at 1. */
export function paginate<T>(items: T[], url: URL, base: string): Page<T> {
  const rawLimit = Number(url.searchParams.get('limit') ?? DEFAULT_LIMIT);
  const limit = Number.isFinite(rawLimit)
    ? Math.min(MAX_LIMIT, Math.max(1, Math.floor(rawLimit)))
    : DEFAULT_LIMIT;
  const rawPage = Number(url.searchParams.get('page') ?? 1);
  const page = Number.isFinite(rawPage) && rawPage >= 1 ? Math.floor(rawPage) : 1;
  const slice = items.slice((page - 1) * limit, page * limit);
  const href = (p: number): { href: string } => {
    const params = new URLSearchParams(url.searchParams);
    params.set('page', String(p));
    params.set('limit', String(limit));
    return link(`${base}${url.pathname}?${params.toString()}`);
  };
  const links: Record<string, { href: string }> = { self: href(page) };
  if (page * limit < items.length) links.next = href(page + 1);
  if (page > 1) links.prev = href(page - 1);
  return { page, items: slice, links };
}
