/** crm.timeline.comment.* (A5): comments on deals. */
import { formatDateTime } from './bitrix-time';
import { parseId } from './deal-methods';
import {
  matches,
  paginate,
  parseFilter,
  parseSelect,
  sortRows,
  type FieldKind,
} from './list-query';
import type { MethodTable } from './method-types';
import { isPlainObject, param, text, type Params } from './php-values';
import type { CommentRow } from './portal-types';
import { RestError } from './rest-errors';

const KINDS: Record<string, FieldKind> = {
  ID: 'number',
  ENTITY_ID: 'number',
  ENTITY_TYPE: 'enum',
  CREATED: 'date',
  COMMENT: 'string',
  AUTHOR_ID: 'number',
};

const kindOf = (field: string): FieldKind | undefined => KINDS[field];

function files(raw: unknown, authorId: number, at: string): Params {
  const list = Array.isArray(raw) ? raw : isPlainObject(raw) ? Object.values(raw) : [];
  const out: Params = {};
  list.forEach((entry, i) => {
    const [name, content] = Array.isArray(entry) ? entry : [];
    const size = typeof content === 'string' ? Buffer.from(content, 'base64').length : 0;
    out[String(i + 1)] = {
      id: i + 1,
      date: at,
      type: 'file',
      name: text(name, `file${i + 1}`),
      size,
      authorId,
    };
  });
  return out;
}

export const timelineMethods: MethodTable = {
  'crm.timeline.comment.add': {
    scope: 'crm',
    run(params, ctx) {
      // Since crm 23.100.0 only the lowercase `fields` key is accepted (A5).
      const fields = params.fields;
      if (!isPlainObject(fields)) {
        throw new RestError(400, '100', 'Could not find value for parameter {fields}');
      }
      const entityType = text(fields.ENTITY_TYPE).toLowerCase();
      const rawEntityId = fields.ENTITY_ID;
      if (entityType === '' || rawEntityId === undefined || rawEntityId === '') {
        throw new RestError(400, '100', 'Required fields not provided: ENTITY_ID, ENTITY_TYPE');
      }
      const entityId = Number(rawEntityId);
      if (entityType !== 'deal' || !ctx.portal.deals.has(entityId)) {
        throw new RestError(400, 'OWNER_NOT_FOUND', 'Owner not found.');
      }
      const comment = typeof fields.COMMENT === 'string' ? fields.COMMENT : '';
      if (comment.trim() === '')
        throw new RestError(400, 'INVALID_ARG_VALUE', 'Empty comment message.');
      const authorId = fields.AUTHOR_ID === undefined ? ctx.userId : Number(fields.AUTHOR_ID);
      const id = ctx.portal.nextCommentId++;
      const at = formatDateTime(ctx.now);
      const row: CommentRow = {
        ID: String(id),
        ENTITY_ID: String(entityId),
        ENTITY_TYPE: 'deal',
        CREATED: at,
        COMMENT: comment,
        AUTHOR_ID: String(authorId),
        FILES: files(fields.FILES, authorId, at),
      };
      ctx.portal.comments.set(id, row);
      return { result: id };
    },
  },
  'crm.timeline.comment.get': {
    scope: 'crm',
    run(params, ctx) {
      const row = ctx.portal.comments.get(parseId(params));
      if (!row) throw new RestError(400, 'NOT_FOUND', 'Not found.');
      return { result: { ...row } };
    },
  },
  'crm.timeline.comment.list': {
    scope: 'crm',
    run(params, ctx) {
      const conditions = parseFilter(param(params, 'filter'), kindOf);
      const rows = [...ctx.portal.comments.values()].filter((r) => matches(r, conditions, kindOf));
      const page = paginate(sortRows(rows, param(params, 'order'), kindOf), param(params, 'start'));
      const select = new Set(
        parseSelect(param(params, 'select'), Object.keys(KINDS).concat('FILES')),
      );
      const result = page.items.map((r) =>
        Object.fromEntries(Object.entries(r).filter(([k]) => select.has(k) || k === 'ID')),
      );
      return { result, total: page.total, next: page.next };
    },
  },
};
