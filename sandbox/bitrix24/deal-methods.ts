/** crm.deal.* and crm.deal.userfield.* (A3). */
import { formatDateTime } from './bitrix-time';
import {
  describeDealFields,
  dealFieldKind,
  missingMandatory,
  normalizeDealInput,
  STANDARD_FIELDS,
} from './deal-fields';
import { matches, paginate, parseFilter, parseSelect, sortRows, type KindOf } from './list-query';
import type { CallContext, MethodTable } from './method-types';
import { isPlainObject, param, text, type Params } from './php-values';
import type { Portal } from './portal-model';
import type { DealRow, UserFieldType } from './portal-types';
import { validationError } from './rest-errors';

/** `fields` as a map; a PHP empty array `[]` is an empty map. */
export function asMap(value: unknown): Params | undefined {
  if (Array.isArray(value) && value.length === 0) return {};
  return isPlainObject(value) ? value : undefined;
}

export function parseId(params: Params): number {
  const raw = param(params, 'id');
  const id = typeof raw === 'number' ? raw : Number(text(raw).trim() || 'x');
  if (!Number.isInteger(id) || id <= 0) throw validationError('ID is not defined or invalid.');
  return id;
}

function findDeal(portal: Portal, id: number): DealRow {
  const deal = portal.deals.get(id);
  if (!deal) throw validationError('Not found');
  return deal;
}

function stageInvalid(): never {
  throw validationError('Invalid value for the "Deal stage" field');
}

function derivedStageFields(portal: Portal, stageId: string): Params {
  const found = portal.findStage(stageId);
  if (!found) stageInvalid();
  const { category, stage } = found;
  return {
    STAGE_SEMANTIC_ID: stage.semantics,
    IS_NEW: category.stages[0].statusId === stage.statusId ? 'Y' : 'N',
    CLOSED: stage.semantics === 'P' ? 'N' : 'Y',
  };
}

function requireMandatory(portal: Portal, row: Params): void {
  const missing = missingMandatory(portal, row);
  if (missing) throw validationError(`The "${missing.label}" field is required.`);
}

/** Creates a deal; shared by crm.deal.add and the createDeal control. */
export function addDeal(portal: Portal, fields: Params, userId: number, now: number): DealRow {
  const input = normalizeDealInput(portal, fields, 'add');
  const categoryId = Number(input.CATEGORY_ID ?? 0);
  const category = portal.categories.get(categoryId);
  if (!category) throw validationError(`Invalid value for the "Pipeline" field`);
  const stageId = typeof input.STAGE_ID === 'string' ? input.STAGE_ID : category.stages[0].statusId;
  if (!category.stages.some((s) => s.statusId === stageId)) stageInvalid();
  const id = portal.nextDealId;
  const at = formatDateTime(now);
  const user = String(userId);
  const row: DealRow = {};
  for (const name of Object.keys(STANDARD_FIELDS)) row[name] = null;
  for (const uf of portal.userFields.values()) row[uf.fieldName] = uf.multiple ? [] : null;
  const contactIds = Array.isArray(input.CONTACT_IDS)
    ? input.CONTACT_IDS
    : typeof input.CONTACT_ID === 'string'
      ? [input.CONTACT_ID]
      : [];
  Object.assign(
    row,
    {
      TYPE_ID: 'SALE',
      CURRENCY_ID: portal.baseCurrency,
      OPPORTUNITY: '0.00',
      IS_MANUAL_OPPORTUNITY: 'N',
      TAX_VALUE: '0.00',
      OPENED: 'Y',
      IS_RECURRING: 'N',
      IS_RETURN_CUSTOMER: 'N',
      IS_REPEATED_APPROACH: 'N',
      ASSIGNED_BY_ID: user,
      BEGINDATE: formatDateTime(Date.parse(`${at.slice(0, 10)}T00:00:00Z`)),
    },
    input,
    {
      ID: String(id),
      TITLE: typeof input.TITLE === 'string' && input.TITLE !== '' ? input.TITLE : `Deal #${id}`,
      CATEGORY_ID: String(categoryId),
      STAGE_ID: stageId,
      CONTACT_IDS: contactIds,
      CONTACT_ID: contactIds[0] ?? null,
      CREATED_BY_ID: user,
      MODIFY_BY_ID: user,
      MOVED_BY_ID: user,
      DATE_CREATE: at,
      DATE_MODIFY: at,
      MOVED_TIME: at,
      ...derivedStageFields(portal, stageId),
    },
  );
  requireMandatory(portal, row);
  portal.nextDealId += 1;
  portal.deals.set(id, row);
  return row;
}

function kindOf(portal: Portal): KindOf {
  return (field) => dealFieldKind(portal, field);
}

/** `select` expanded: `*` = standard non-multiple fields, `UF_*` = user fields; ID always. */
function selectedFields(portal: Portal, raw: unknown): Set<string> {
  const wanted = parseSelect(raw, ['*', 'UF_*']);
  const out = new Set<string>(['ID']);
  for (const name of wanted) {
    if (name === '*') {
      for (const [n, f] of Object.entries(STANDARD_FIELDS)) if (!f.multiple) out.add(n);
    } else if (name === 'UF_*') {
      for (const n of portal.userFields.keys()) out.add(n);
    } else if (name !== 'CONTACT_IDS' && dealFieldKind(portal, name) !== undefined) {
      out.add(name);
    }
  }
  return out;
}

function project(row: DealRow, fields: Set<string>): DealRow {
  return Object.fromEntries(Object.entries(row).filter(([k]) => fields.has(k)));
}

const USER_TYPES: UserFieldType[] = [
  'string',
  'integer',
  'double',
  'boolean',
  'date',
  'datetime',
  'url',
];

export const dealMethods: MethodTable = {
  'crm.deal.add': {
    scope: 'crm',
    run(params, ctx: CallContext) {
      const fields = asMap(param(params, 'fields'));
      if (!fields) throw validationError("Parameter 'fields' must be array.");
      return { result: Number(addDeal(ctx.portal, fields, ctx.userId, ctx.now).ID) };
    },
  },
  'crm.deal.update': {
    scope: 'crm',
    run(params, ctx) {
      const id = parseId(params);
      const fields = asMap(param(params, 'fields'));
      if (!fields) throw validationError("Parameter 'fields' must be array.");
      const deal = findDeal(ctx.portal, id);
      const input = normalizeDealInput(ctx.portal, fields, 'update');
      requireMandatory(ctx.portal, { ...deal, ...input });
      const at = formatDateTime(ctx.now);
      const user = String(ctx.userId);
      if (typeof input.STAGE_ID === 'string' && input.STAGE_ID !== deal.STAGE_ID) {
        const found = ctx.portal.findStage(input.STAGE_ID);
        if (!found || String(found.category.id) !== deal.CATEGORY_ID) stageInvalid();
        Object.assign(input, { MOVED_TIME: at, MOVED_BY_ID: user });
        Object.assign(input, derivedStageFields(ctx.portal, input.STAGE_ID));
      } else {
        delete input.STAGE_ID;
      }
      if ('CONTACT_IDS' in input) {
        input.CONTACT_ID = (input.CONTACT_IDS as unknown[])[0] ?? null;
      }
      if ('TITLE' in input && (input.TITLE === null || input.TITLE === '')) {
        input.TITLE = `Deal #${id}`;
      }
      Object.assign(deal, input, { DATE_MODIFY: at, MODIFY_BY_ID: user });
      return { result: true };
    },
  },
  'crm.deal.get': {
    scope: 'crm',
    run(params, ctx) {
      return { result: { ...findDeal(ctx.portal, parseId(params)) } };
    },
  },
  'crm.deal.list': {
    scope: 'crm',
    run(params, ctx) {
      const kinds = kindOf(ctx.portal);
      const conditions = parseFilter(param(params, 'filter'), kinds);
      const rows = [...ctx.portal.deals.values()].filter((r) => matches(r, conditions, kinds));
      const page = paginate(sortRows(rows, param(params, 'order'), kinds), param(params, 'start'));
      const fields = selectedFields(ctx.portal, param(params, 'select'));
      return {
        result: page.items.map((r) => project(r, fields)),
        total: page.total,
        next: page.next,
      };
    },
  },
  'crm.deal.delete': {
    scope: 'crm',
    run(params, ctx) {
      const id = parseId(params);
      findDeal(ctx.portal, id);
      ctx.portal.deals.delete(id);
      return { result: true };
    },
  },
  'crm.deal.fields': {
    scope: 'crm',
    run(_params, ctx) {
      return { result: describeDealFields(ctx.portal) };
    },
  },
  'crm.deal.userfield.add': {
    scope: 'crm',
    run(params, ctx) {
      const fields = asMap(param(params, 'fields'));
      if (!fields) throw validationError("Parameter 'fields' must be array.");
      const name = text(param(fields, 'FIELD_NAME')).trim();
      const type = text(param(fields, 'USER_TYPE_ID'), 'string').trim() as UserFieldType;
      if (name === '') throw validationError('FIELD_NAME is not defined.');
      if (!USER_TYPES.includes(type))
        throw validationError(`USER_TYPE_ID "${type}" is not supported.`);
      const fieldName = `UF_CRM_${name.toUpperCase().replace(/^UF_CRM_/, '')}`;
      if (ctx.portal.userFields.has(fieldName)) {
        throw validationError(`The field ${fieldName} already exists.`);
      }
      const label = param(fields, 'EDIT_FORM_LABEL') ?? param(fields, 'LABEL');
      const flag = (v: unknown): boolean => text(v).toUpperCase() === 'Y';
      let field;
      try {
        field = ctx.portal.addUserField({
          fieldName,
          userTypeId: type,
          mandatory: flag(param(fields, 'MANDATORY')),
          multiple: flag(param(fields, 'MULTIPLE')),
          label: typeof label === 'string' ? label : undefined,
        });
      } catch (error) {
        throw validationError((error as Error).message);
      }
      for (const deal of ctx.portal.deals.values())
        deal[field.fieldName] = field.multiple ? [] : null;
      return { result: field.id };
    },
  },
  'crm.deal.userfield.list': {
    scope: 'crm',
    run(_params, ctx) {
      const list = [...ctx.portal.userFields.values()].map((uf) => ({
        ID: String(uf.id),
        ENTITY_ID: 'CRM_DEAL',
        FIELD_NAME: uf.fieldName,
        USER_TYPE_ID: uf.userTypeId,
        XML_ID: null,
        SORT: '100',
        MULTIPLE: uf.multiple ? 'Y' : 'N',
        MANDATORY: uf.mandatory ? 'Y' : 'N',
        SHOW_FILTER: 'N',
        SHOW_IN_LIST: 'Y',
        EDIT_IN_LIST: 'Y',
        IS_SEARCHABLE: 'N',
        EDIT_FORM_LABEL: uf.label,
        LIST_COLUMN_LABEL: uf.label,
        SETTINGS: {},
      }));
      return { result: list, total: list.length };
    },
  },
};
