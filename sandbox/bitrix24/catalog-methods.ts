/** Pipelines (crm.dealcategory.*, crm.category.*) and directories (crm.status.list), A3. */
import { asMap, parseId } from './deal-methods';
import {
  matches,
  paginate,
  parseFilter,
  parseSelect,
  sortRows,
  type FieldKind,
} from './list-query';
import type { MethodTable } from './method-types';
import { param, type Params } from './php-values';
import type { Portal } from './portal-model';
import type { Category } from './portal-types';
import { RestError, validationError } from './rest-errors';

const DEAL_ENTITY_TYPE_ID = 2;

function dealCategoryRow(c: Category): Params {
  return {
    ID: String(c.id),
    CREATED_DATE: c.createdDate,
    NAME: c.name,
    IS_LOCKED: 'N',
    SORT: String(c.sort),
  };
}

function categoryItem(c: Category): Params {
  const base = { id: c.id, name: c.name, sort: c.sort, entityTypeId: DEAL_ENTITY_TYPE_ID };
  return c.id === 0
    ? { ...base, isDefault: 'Y' }
    : { ...base, isDefault: 'N', originId: '', originatorId: '' };
}

function statusRows(portal: Portal): Params[] {
  const rows: Params[] = [];
  for (const category of portal.categories.values()) {
    for (const stage of category.stages) {
      rows.push({
        ID: String(stage.rowId),
        ENTITY_ID: category.id === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${category.id}`,
        STATUS_ID: stage.statusId,
        NAME: stage.name,
        NAME_INIT: stage.system ? stage.name : '',
        SORT: String(stage.sort),
        SYSTEM: stage.system ? 'Y' : 'N',
        CATEGORY_ID: category.id === 0 ? null : String(category.id),
        COLOR: stage.color,
        SEMANTICS: stage.semantics === 'P' ? null : stage.semantics,
        EXTRA: { SEMANTICS: stage.extraSemantics, COLOR: stage.color },
      });
    }
  }
  for (const item of portal.statusItems) {
    rows.push({
      ID: String(item.rowId),
      ENTITY_ID: item.entityId,
      STATUS_ID: item.statusId,
      NAME: item.name,
      NAME_INIT: item.name,
      SORT: String(item.sort),
      SYSTEM: 'Y',
      CATEGORY_ID: null,
      COLOR: null,
      SEMANTICS: null,
    });
  }
  return rows;
}

const STATUS_KINDS: Record<string, FieldKind> = {
  ID: 'number',
  ENTITY_ID: 'enum',
  STATUS_ID: 'enum',
  NAME: 'string',
  NAME_INIT: 'string',
  SORT: 'number',
  SYSTEM: 'enum',
  CATEGORY_ID: 'number',
  COLOR: 'string',
  SEMANTICS: 'enum',
};

const DEAL_CATEGORY_KINDS: Record<string, FieldKind> = {
  ID: 'number',
  CREATED_DATE: 'date',
  NAME: 'string',
  IS_LOCKED: 'enum',
  SORT: 'number',
};

function listOf(rows: Params[], params: Params, kinds: Record<string, FieldKind>) {
  const kindOf = (f: string): FieldKind | undefined => kinds[f];
  const conditions = parseFilter(param(params, 'filter'), kindOf);
  const filtered = rows.filter((r) => matches(r, conditions, kindOf));
  const page = paginate(sortRows(filtered, param(params, 'order'), kindOf), param(params, 'start'));
  const select = new Set(parseSelect(param(params, 'select'), ['*']));
  const items = select.has('*')
    ? page.items
    : page.items.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => select.has(k))));
  return { result: items, total: page.total, next: page.next };
}

function entityTypeId(params: Params): number {
  const raw = param(params, 'entityTypeId');
  if (raw === undefined || raw === null || raw === '') {
    throw new RestError(400, '100', 'Could not find value for parameter {entityTypeId}');
  }
  const id = Number(raw);
  if (id === DEAL_ENTITY_TYPE_ID) return id;
  if (id === 1) {
    throw new RestError(400, 'ENTITY_TYPE_NOT_SUPPORTED', 'Entity type LEAD is not supported');
  }
  throw new RestError(400, 'NOT_FOUND', 'Smart process not found');
}

function sortedCategories(portal: Portal): Category[] {
  return [...portal.categories.values()].sort((a, b) => a.sort - b.sort || a.id - b.id);
}

export const catalogMethods: MethodTable = {
  'crm.dealcategory.list': {
    scope: 'crm',
    run(params, ctx) {
      const rows = sortedCategories(ctx.portal)
        .filter((c) => c.id !== 0)
        .map(dealCategoryRow);
      return listOf(rows, params, DEAL_CATEGORY_KINDS);
    },
  },
  'crm.dealcategory.get': {
    scope: 'crm',
    run(params, ctx) {
      const category = ctx.portal.categories.get(parseId(params));
      if (!category) throw validationError('Not found');
      return { result: dealCategoryRow(category) };
    },
  },
  'crm.dealcategory.default.get': {
    scope: 'crm',
    run(_params, ctx) {
      const general = ctx.portal.categories.get(0);
      return { result: { ID: 0, NAME: general?.name ?? 'General' } };
    },
  },
  'crm.dealcategory.stage.list': {
    scope: 'crm',
    run(params, ctx) {
      const raw = param(params, 'id');
      const id = raw === undefined || raw === '' ? 0 : Number(raw);
      const category = ctx.portal.categories.get(id);
      if (!category) throw validationError(`Could not find deal category with ID '${String(raw)}'`);
      const result = category.stages.map((s) => ({
        NAME: s.name,
        SORT: String(s.sort),
        STATUS_ID: s.statusId,
      }));
      return { result };
    },
  },
  'crm.category.list': {
    scope: 'crm',
    run(params, ctx) {
      entityTypeId(params);
      const categories = sortedCategories(ctx.portal).map(categoryItem);
      return { result: { categories }, total: categories.length };
    },
  },
  'crm.category.get': {
    scope: 'crm',
    run(params, ctx) {
      entityTypeId(params);
      const raw = param(params, 'id');
      const category = ctx.portal.categories.get(Number(raw ?? NaN));
      if (!category) throw new RestError(400, 'NOT_FOUND', 'Category not found');
      return { result: { category: categoryItem(category) } };
    },
  },
  'crm.status.list': {
    scope: 'crm',
    run(params, ctx) {
      const filter = param(params, 'filter');
      if (filter !== undefined && !asMap(filter)) throw validationError('Invalid parameters.');
      return listOf(statusRows(ctx.portal), params, STATUS_KINDS);
    },
  },
};
