/**
 * Validation of lead and note input (docs B3, B4, B5). Each item is checked completely first; the
 * store applies nothing unless every item of a request is valid (400 `validation-errors`).
 */
import { HttpError, isObject } from './http-io';
import type {
  AmoCustomField,
  AmoFieldValue,
  AmoLead,
  AmoPipeline,
  AmoTag,
  AmoUser,
} from './amocrm-types';

export const WON_STATUS_ID = 142;
export const LOST_STATUS_ID = 143;

export const NOTE_TYPES = new Set([
  'common',
  'call_in',
  'call_out',
  'service_message',
  'extended_service_message',
  'message_cashier',
  'invoice_paid',
  'geolocation',
  'sms_in',
  'sms_out',
  'attachment',
  'transaction',
  'link_followed',
  'key_action_completed',
]);

export interface FieldError {
  code: string;
  path: string;
  detail: string;
}

export interface ItemErrors {
  request_id: string;
  errors: FieldError[];
}

const CHOICE = 'The value you selected is not a valid choice.';
const BLANK = 'This value should not be blank.';
const typeDetail = (type: string): string => `This value should be of type ${type}.`;

/** The 400 body of docs B5. */
export function validationFailure(items: ItemErrors[]): HttpError {
  return new HttpError(400, {
    'validation-errors': items,
    title: 'Bad Request',
    type: 'https://httpstatus.es/400',
    status: 400,
    detail: 'Request validation failed',
  });
}

export interface LeadContext {
  pipelines: AmoPipeline[];
  fields: AmoCustomField[];
  users: AmoUser[];
  tags: AmoTag[];
  ensureTag(name: string): AmoTag;
  nowSec(): number;
}

export interface Prepared<T> {
  requestId: string;
  errors: FieldError[];
  apply(target: T): void;
}

type Step<T> = (target: T) => void;

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function requestIdOf(raw: unknown, index: number): string {
  if (isObject(raw) && (typeof raw.request_id === 'string' || isInt(raw.request_id))) {
    return String(raw.request_id);
  }
  return String(index);
}

function openStatus(pipeline: AmoPipeline): number {
  const open = pipeline.statuses.find(
    (s) => s.type === 0 && s.id !== WON_STATUS_ID && s.id !== LOST_STATUS_ID,
  );
  return (open ?? pipeline.statuses[0]).id;
}

function parseFieldValue(
  field: AmoCustomField,
  raw: unknown,
  path: string,
  errors: FieldError[],
): AmoFieldValue | undefined {
  if (!isObject(raw)) {
    errors.push({ code: 'InvalidType', path, detail: typeDetail('object') });
    return undefined;
  }
  const bad = (code: string, sub: string, detail: string): undefined => {
    errors.push({ code, path: `${path}.${sub}`, detail });
    return undefined;
  };
  if (field.enums !== null) {
    const enums = field.enums;
    const found =
      raw.enum_id !== undefined
        ? enums.find((e) => e.id === raw.enum_id)
        : enums.find((e) => e.value === raw.value);
    if (!found)
      return bad('NotSupportedChoice', raw.enum_id !== undefined ? 'enum_id' : 'value', CHOICE);
    return { value: found.value, enum_id: found.id, enum_code: null };
  }
  const value = raw.value;
  if (value === undefined || value === null) return bad('NotBlank', 'value', BLANK);
  switch (field.type) {
    case 'checkbox':
      return typeof value === 'boolean'
        ? { value }
        : bad('InvalidType', 'value', typeDetail('bool'));
    case 'numeric':
    case 'price': {
      const numeric =
        (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)));
      return numeric ? { value } : bad('InvalidType', 'value', typeDetail('numeric'));
    }
    case 'date':
    case 'date_time':
    case 'birthday': {
      const ok = isInt(value) || (typeof value === 'string' && !Number.isNaN(Date.parse(value)));
      return ok ? { value } : bad('InvalidType', 'value', typeDetail('date'));
    }
    case 'text':
    case 'textarea':
    case 'url':
    case 'streetaddress':
    case 'tracking_data':
    case 'select':
    case 'multiselect':
    case 'radiobutton':
      return typeof value === 'string' || typeof value === 'number'
        ? { value: String(value) }
        : bad('InvalidType', 'value', typeDetail('string'));
  }
}

function prepareFieldValues(
  raw: unknown,
  ctx: LeadContext,
  errors: FieldError[],
  steps: Array<Step<AmoLead>>,
): void {
  if (raw === null) {
    steps.push((lead) => (lead.custom_fields_values = null));
    return;
  }
  if (!Array.isArray(raw)) {
    errors.push({ code: 'InvalidType', path: 'custom_fields_values', detail: typeDetail('array') });
    return;
  }
  raw.forEach((item: unknown, i) => {
    const base = `custom_fields_values.${i}`;
    if (!isObject(item)) {
      errors.push({ code: 'InvalidType', path: base, detail: typeDetail('object') });
      return;
    }
    let field: AmoCustomField | undefined;
    if (item.field_id !== undefined && item.field_id !== null) {
      field = ctx.fields.find((f) => f.id === item.field_id);
      if (!field)
        errors.push({ code: 'NotSupportedChoice', path: `${base}.field_id`, detail: CHOICE });
    } else if (typeof item.field_code === 'string') {
      const code = item.field_code.toUpperCase();
      field = ctx.fields.find((f) => f.code !== null && f.code.toUpperCase() === code);
      if (!field)
        errors.push({ code: 'NotSupportedChoice', path: `${base}.field_code`, detail: CHOICE });
    } else {
      errors.push({ code: 'NotBlank', path: `${base}.field_id`, detail: BLANK });
    }
    if (!field) return;
    const target = field;
    const values = item.values;
    if (values === null || (Array.isArray(values) && values.length === 0)) {
      steps.push((lead) => {
        const rest = (lead.custom_fields_values ?? []).filter((v) => v.field_id !== target.id);
        lead.custom_fields_values = rest.length > 0 ? rest : null;
      });
      return;
    }
    if (!Array.isArray(values)) {
      errors.push({ code: 'InvalidType', path: `${base}.values`, detail: typeDetail('array') });
      return;
    }
    if (values.length > 1 && target.type !== 'multiselect') {
      errors.push({
        code: 'TooManyValues',
        path: `${base}.values`,
        detail: 'Only one value is allowed.',
      });
      return;
    }
    const parsed = values.map((v: unknown, j) =>
      parseFieldValue(target, v, `${base}.values.${j}`, errors),
    );
    if (parsed.some((v) => v === undefined)) return;
    steps.push((lead) => {
      const entry = {
        field_id: target.id,
        field_name: target.name,
        field_code: target.code,
        field_type: target.type,
        values: parsed as AmoFieldValue[],
      };
      const list = (lead.custom_fields_values ?? []).filter((v) => v.field_id !== target.id);
      lead.custom_fields_values = [...list, entry];
    });
  });
}

/** Tag references `[{id}]` or `[{name}]`; unknown names are created when the request applies. */
function prepareTags(
  raw: unknown,
  path: string,
  ctx: LeadContext,
  errors: FieldError[],
): Array<() => AmoTag> | undefined {
  if (!Array.isArray(raw)) {
    errors.push({ code: 'InvalidType', path, detail: typeDetail('array') });
    return undefined;
  }
  const refs: Array<() => AmoTag> = [];
  raw.forEach((item: unknown, i) => {
    if (isObject(item) && isInt(item.id)) {
      const tag = ctx.tags.find((t) => t.id === item.id);
      if (tag) refs.push(() => tag);
      else errors.push({ code: 'NotSupportedChoice', path: `${path}.${i}.id`, detail: CHOICE });
    } else if (isObject(item) && typeof item.name === 'string' && item.name.trim() !== '') {
      const name = item.name.trim();
      refs.push(() => ctx.ensureTag(name));
    } else {
      errors.push({ code: 'NotBlank', path: `${path}.${i}.name`, detail: BLANK });
    }
  });
  return refs;
}

function prepareStatus(
  raw: Record<string, unknown>,
  ctx: LeadContext,
  existing: AmoLead | undefined,
  errors: FieldError[],
  steps: Array<Step<AmoLead>>,
): void {
  const main = ctx.pipelines.find((p) => p.is_main) ?? ctx.pipelines[0];
  let pipeline: AmoPipeline | undefined;
  let statusId: number | undefined;
  if (raw.pipeline_id !== undefined) {
    pipeline = ctx.pipelines.find((p) => p.id === raw.pipeline_id);
    if (!pipeline) errors.push({ code: 'NotSupportedChoice', path: 'pipeline_id', detail: CHOICE });
  }
  if (raw.status_id !== undefined) {
    const current = ctx.pipelines.find((p) => p.id === existing?.pipeline_id) ?? main;
    const candidates = pipeline ? [pipeline] : [current, ...ctx.pipelines];
    const home = candidates.find((p) =>
      p.statuses.some((s) => s.id === raw.status_id && s.type === 0),
    );
    if (!home) errors.push({ code: 'NotSupportedChoice', path: 'status_id', detail: CHOICE });
    else {
      pipeline = home;
      statusId = raw.status_id as number;
    }
  } else if (pipeline && pipeline.id !== existing?.pipeline_id) {
    statusId = openStatus(pipeline);
  } else if (!existing) {
    pipeline = main;
    statusId = openStatus(main);
  }
  const finalStatus = statusId ?? existing?.status_id;
  const loss = raw.loss_reason_id;
  if (loss !== undefined && loss !== null) {
    if (!isInt(loss))
      errors.push({ code: 'InvalidType', path: 'loss_reason_id', detail: typeDetail('int') });
    else if (finalStatus !== LOST_STATUS_ID) {
      errors.push({
        code: 'NotSupportedChoice',
        path: 'loss_reason_id',
        detail: 'A loss reason is allowed only for a lead in status 143.',
      });
    }
  }
  const target = pipeline;
  steps.push((lead) => {
    if (statusId !== undefined && target) {
      const wasClosed = lead.status_id === WON_STATUS_ID || lead.status_id === LOST_STATUS_ID;
      const closing = statusId === WON_STATUS_ID || statusId === LOST_STATUS_ID;
      lead.status_id = statusId;
      lead.pipeline_id = target.id;
      if (closing && !wasClosed) lead.closed_at = ctx.nowSec();
      if (!closing) lead.closed_at = null;
    }
    if (loss !== undefined) lead.loss_reason_id = loss as number | null;
    if (lead.status_id !== LOST_STATUS_ID) lead.loss_reason_id = null;
  });
}

/** Checks one lead of POST/PATCH /api/v4/leads; `existing` is the lead being updated. */
export function prepareLead(
  raw: unknown,
  index: number,
  ctx: LeadContext,
  existing: AmoLead | undefined,
): Prepared<AmoLead> {
  const requestId = requestIdOf(raw, index);
  const errors: FieldError[] = [];
  const steps: Array<Step<AmoLead>> = [];
  if (!isObject(raw)) {
    errors.push({ code: 'InvalidType', path: '', detail: typeDetail('object') });
    return { requestId, errors, apply: () => undefined };
  }
  if (raw.name !== undefined) {
    const name = raw.name;
    if (typeof name !== 'string')
      errors.push({ code: 'InvalidType', path: 'name', detail: typeDetail('string') });
    else steps.push((lead) => (lead.name = name));
  }
  if (raw.price !== undefined && raw.price !== null) {
    const price = raw.price;
    if (!isInt(price) || price < 0) {
      errors.push({ code: 'InvalidType', path: 'price', detail: typeDetail('int') });
    } else steps.push((lead) => (lead.price = price));
  }
  for (const key of ['responsible_user_id', 'created_by', 'updated_by'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (!isInt(value)) {
      errors.push({ code: 'InvalidType', path: key, detail: typeDetail('int') });
    } else if (
      !ctx.users.some((u) => u.id === value) &&
      !(key !== 'responsible_user_id' && value === 0)
    ) {
      errors.push({ code: 'NotSupportedChoice', path: key, detail: CHOICE });
    } else steps.push((lead) => (lead[key] = value));
  }
  for (const key of ['created_at', 'updated_at', 'closed_at'] as const) {
    const value = raw[key];
    if (value === undefined || (value === null && key === 'closed_at')) continue;
    if (!isInt(value) || value < 0) {
      errors.push({ code: 'InvalidType', path: key, detail: typeDetail('int') });
    }
  }
  if (raw.pipeline_id !== undefined && !isInt(raw.pipeline_id)) {
    errors.push({ code: 'InvalidType', path: 'pipeline_id', detail: typeDetail('int') });
  } else if (raw.status_id !== undefined && !isInt(raw.status_id)) {
    errors.push({ code: 'InvalidType', path: 'status_id', detail: typeDetail('int') });
  } else prepareStatus(raw, ctx, existing, errors, steps);
  if (raw.custom_fields_values !== undefined) {
    prepareFieldValues(raw.custom_fields_values, ctx, errors, steps);
  }
  const embedded = raw._embedded;
  if (embedded !== undefined && !isObject(embedded)) {
    errors.push({ code: 'InvalidType', path: '_embedded', detail: typeDetail('object') });
  } else if (embedded?.tags !== undefined) {
    const refs = prepareTags(embedded.tags, '_embedded.tags', ctx, errors);
    if (refs) steps.push((lead) => (lead.tags = dedupe(refs.map((r) => r()))));
  }
  if (raw.tags_to_add !== undefined) {
    const refs = prepareTags(raw.tags_to_add, 'tags_to_add', ctx, errors);
    if (refs) steps.push((lead) => (lead.tags = dedupe([...lead.tags, ...refs.map((r) => r())])));
  }
  if (raw.tags_to_delete !== undefined) {
    const refs = prepareTags(raw.tags_to_delete, 'tags_to_delete', ctx, errors);
    if (refs) {
      steps.push((lead) => {
        const gone = new Set(refs.map((r) => r().id));
        lead.tags = lead.tags.filter((t) => !gone.has(t.id));
      });
    }
  }
  steps.push((lead) => {
    for (const key of ['created_at', 'closed_at'] as const) {
      if (raw[key] !== undefined) lead[key] = raw[key] as number;
    }
    lead.updated_at = isInt(raw.updated_at) ? raw.updated_at : ctx.nowSec();
  });
  return { requestId, errors, apply: (lead) => steps.forEach((step) => step(lead)) };
}

function dedupe(tags: AmoTag[]): AmoTag[] {
  return [...new Map(tags.map((t) => [t.id, t])).values()];
}

export interface NoteDraft {
  entity_id: number;
  note_type: string;
  params: Record<string, unknown>;
  created_by?: number;
  responsible_user_id?: number;
}

/** Checks one note of POST /api/v4/leads/notes (with entity_id) or /leads/{id}/notes. */
export function prepareNote(
  raw: unknown,
  index: number,
  leadId: number | undefined,
  leadExists: (id: number) => boolean,
  users: AmoUser[],
): { requestId: string; errors: FieldError[]; draft?: NoteDraft } {
  const requestId = requestIdOf(raw, index);
  const errors: FieldError[] = [];
  if (!isObject(raw)) {
    errors.push({ code: 'InvalidType', path: '', detail: typeDetail('object') });
    return { requestId, errors };
  }
  const entityId = leadId ?? raw.entity_id;
  if (leadId === undefined) {
    if (!isInt(entityId)) errors.push({ code: 'NotBlank', path: 'entity_id', detail: BLANK });
    else if (!leadExists(entityId)) {
      errors.push({ code: 'NotSupportedChoice', path: 'entity_id', detail: CHOICE });
    }
  }
  const type = raw.note_type;
  if (typeof type !== 'string' || !NOTE_TYPES.has(type)) {
    errors.push({ code: 'NotSupportedChoice', path: 'note_type', detail: CHOICE });
  }
  const params = raw.params;
  if (!isObject(params)) {
    errors.push({ code: 'InvalidType', path: 'params', detail: typeDetail('object') });
  } else if (
    (type === 'common' || type === 'service_message') &&
    (typeof params.text !== 'string' || params.text.trim() === '')
  ) {
    errors.push({ code: 'NotBlank', path: 'params.text', detail: BLANK });
  }
  for (const key of ['created_by', 'responsible_user_id'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (!isInt(value) || (!users.some((u) => u.id === value) && value !== 0)) {
      errors.push({ code: 'NotSupportedChoice', path: key, detail: CHOICE });
    }
  }
  if (errors.length > 0) return { requestId, errors };
  return {
    requestId,
    errors,
    draft: {
      entity_id: entityId as number,
      note_type: type as string,
      params: params as Record<string, unknown>,
      created_by: raw.created_by as number | undefined,
      responsible_user_id: raw.responsible_user_id as number | undefined,
    },
  };
}
