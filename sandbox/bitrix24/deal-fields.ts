/** crm.deal.fields metadata, and turning input values into the stored (printed) form of A3. */
import { formatDateTime, parseDateTime } from './bitrix-time';
import type { FieldKind } from './list-query';
import { isPlainObject, text } from './php-values';
import type { Portal } from './portal-model';
import type { UserField } from './portal-types';
import { validationError } from './rest-errors';

export type DealFieldType =
  | 'integer'
  | 'string'
  | 'char'
  | 'double'
  | 'date'
  | 'datetime'
  | 'user'
  | 'crm_status'
  | 'crm_category'
  | 'crm_currency'
  | 'crm_company'
  | 'crm_contact'
  | 'crm_lead'
  | 'crm_quote';

interface StandardField {
  type: DealFieldType;
  title: string;
  readOnly?: boolean;
  immutable?: boolean;
  multiple?: boolean;
  statusType?: string;
}

/** The standard deal fields, in the order crm.deal.get prints them. */
export const STANDARD_FIELDS: Record<string, StandardField> = {
  ID: { type: 'integer', title: 'ID', readOnly: true },
  TITLE: { type: 'string', title: 'Name' },
  TYPE_ID: { type: 'crm_status', title: 'Type', statusType: 'DEAL_TYPE' },
  CATEGORY_ID: { type: 'crm_category', title: 'Pipeline', immutable: true },
  STAGE_ID: { type: 'crm_status', title: 'Deal stage', statusType: 'DEAL_STAGE' },
  STAGE_SEMANTIC_ID: { type: 'string', title: 'Stage group', readOnly: true },
  IS_NEW: { type: 'char', title: 'New deal', readOnly: true },
  IS_RECURRING: { type: 'char', title: 'Recurring deal' },
  IS_RETURN_CUSTOMER: { type: 'char', title: 'Repeat deal', readOnly: true },
  IS_REPEATED_APPROACH: { type: 'char', title: 'Repeat inquiry', readOnly: true },
  PROBABILITY: { type: 'integer', title: 'Probability' },
  CURRENCY_ID: { type: 'crm_currency', title: 'Currency' },
  OPPORTUNITY: { type: 'double', title: 'Income' },
  IS_MANUAL_OPPORTUNITY: { type: 'char', title: 'IS_MANUAL_OPPORTUNITY' },
  TAX_VALUE: { type: 'double', title: 'Tax rate' },
  COMPANY_ID: { type: 'crm_company', title: 'Company' },
  CONTACT_ID: { type: 'crm_contact', title: 'Contact' },
  CONTACT_IDS: { type: 'crm_contact', title: 'Contacts', multiple: true },
  QUOTE_ID: { type: 'crm_quote', title: 'Quote', readOnly: true },
  BEGINDATE: { type: 'date', title: 'Start date' },
  CLOSEDATE: { type: 'date', title: 'End date' },
  OPENED: { type: 'char', title: 'Available to everyone' },
  CLOSED: { type: 'char', title: 'Closed' },
  COMMENTS: { type: 'string', title: 'Comment' },
  ASSIGNED_BY_ID: { type: 'user', title: 'Responsible person' },
  CREATED_BY_ID: { type: 'user', title: 'Created by', readOnly: true },
  MODIFY_BY_ID: { type: 'user', title: 'Modified by', readOnly: true },
  MOVED_BY_ID: { type: 'user', title: 'Moved by', readOnly: true },
  DATE_CREATE: { type: 'datetime', title: 'Created on', readOnly: true },
  DATE_MODIFY: { type: 'datetime', title: 'Modified on', readOnly: true },
  MOVED_TIME: { type: 'datetime', title: 'Moved on', readOnly: true },
  SOURCE_ID: { type: 'crm_status', title: 'Source', statusType: 'SOURCE' },
  SOURCE_DESCRIPTION: { type: 'string', title: 'Source information' },
  LEAD_ID: { type: 'crm_lead', title: 'Lead', readOnly: true },
  ADDITIONAL_INFO: { type: 'string', title: 'Additional information' },
  ORIGINATOR_ID: { type: 'string', title: 'External source' },
  ORIGIN_ID: { type: 'string', title: 'Identifier in External Source' },
  UTM_SOURCE: { type: 'string', title: 'Ad system' },
  UTM_MEDIUM: { type: 'string', title: 'Traffic type' },
  UTM_CAMPAIGN: { type: 'string', title: 'Ad campaign UTM' },
  UTM_CONTENT: { type: 'string', title: 'Campaign contents' },
  UTM_TERM: { type: 'string', title: 'Campaign search term' },
  LAST_ACTIVITY_TIME: { type: 'datetime', title: 'Last activity', readOnly: true },
  LAST_ACTIVITY_BY: { type: 'user', title: 'Last activity by', readOnly: true },
};

const NUMERIC_TYPES = new Set<string>([
  'integer',
  'double',
  'user',
  'crm_category',
  'crm_company',
  'crm_contact',
  'crm_lead',
  'crm_quote',
  'boolean',
]);

function kindOfType(type: string): FieldKind {
  if (NUMERIC_TYPES.has(type)) return 'number';
  if (type === 'date' || type === 'datetime') return 'date';
  if (type === 'crm_status' || type === 'crm_currency' || type === 'char') return 'enum';
  return 'string';
}

/** The filter/order kind of a deal field on this portal; undefined for unknown fields. */
export function dealFieldKind(portal: Portal, field: string): FieldKind | undefined {
  const standard = STANDARD_FIELDS[field];
  if (standard) return kindOfType(standard.type);
  const uf = portal.userFields.get(field);
  return uf ? kindOfType(uf.userTypeId) : undefined;
}

/** crm.deal.fields `result`. */
export function describeDealFields(portal: Portal): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(STANDARD_FIELDS)) {
    result[name] = {
      type: f.type,
      isRequired: false,
      isReadOnly: f.readOnly ?? false,
      isImmutable: f.immutable ?? false,
      isMultiple: f.multiple ?? false,
      isDynamic: false,
      title: f.title,
      ...(f.statusType === undefined ? {} : { statusType: f.statusType }),
    };
  }
  for (const uf of portal.userFields.values()) {
    result[uf.fieldName] = {
      type: uf.userTypeId,
      isRequired: uf.mandatory,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: uf.multiple,
      isDynamic: true,
      title: uf.fieldName,
      listLabel: uf.label,
      formLabel: uf.label,
      filterLabel: uf.label,
      settings: {},
    };
  }
  return result;
}

function invalid(title: string): never {
  throw validationError(`Invalid value for the "${title}" field`);
}

function toInteger(value: unknown, title: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(text(value, 'x').trim());
  if (!Number.isFinite(n)) invalid(title);
  return String(Math.trunc(n));
}

function toDouble(value: unknown, title: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(text(value, 'x').trim().replace(',', '.'));
  if (!Number.isFinite(n)) invalid(title);
  return n.toFixed(2);
}

function toChar(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  const flag = text(value).trim().toUpperCase();
  return flag === 'Y' || flag === '1' || flag === 'TRUE' ? 'Y' : 'N';
}

function toDate(value: unknown, title: string, dateOnly: boolean): string | null {
  if (value === null || value === undefined || value === '') return null;
  const ms = parseDateTime(value);
  if (Number.isNaN(ms)) invalid(title);
  if (!dateOnly) return formatDateTime(ms);
  return formatDateTime(Date.parse(`${new Date(ms).toISOString().slice(0, 10)}T00:00:00Z`));
}

function toUserFieldValue(uf: UserField, value: unknown): unknown {
  if (uf.multiple) {
    const list = Array.isArray(value)
      ? value
      : isPlainObject(value)
        ? Object.values(value)
        : value === null || value === undefined || value === ''
          ? []
          : [value];
    return list
      .map((v) => toUserFieldValue({ ...uf, multiple: false }, v))
      .filter((v) => v !== null);
  }
  switch (uf.userTypeId) {
    case 'integer':
      return toInteger(value, uf.label);
    case 'double':
      return value === null || value === undefined || value === ''
        ? null
        : String(Number(toDouble(value, uf.label)));
    case 'boolean':
      return toChar(value) === 'Y' ? '1' : '0';
    case 'date':
      return toDate(value, uf.label, true);
    case 'datetime':
      return toDate(value, uf.label, false);
    case 'string':
    case 'url':
      return value === null || value === undefined ? null : text(value);
  }
}

/** One writable standard field to its stored form; throws 400 on a malformed value. */
function toStandardValue(portal: Portal, f: StandardField, value: unknown): unknown {
  if (f.multiple) {
    const list = Array.isArray(value)
      ? value
      : isPlainObject(value)
        ? Object.values(value)
        : [value];
    return list.map((v) => toInteger(v, f.title)).filter((v) => v !== null);
  }
  switch (f.type) {
    case 'integer':
    case 'user':
    case 'crm_category':
    case 'crm_company':
    case 'crm_contact':
    case 'crm_lead':
    case 'crm_quote':
      return toInteger(value, f.title);
    case 'double':
      return toDouble(value, f.title);
    case 'char':
      return toChar(value);
    case 'date':
    case 'datetime':
      return toDate(value, f.title, f.type === 'date');
    case 'crm_currency': {
      const code = text(value).trim().toUpperCase();
      if (!portal.currencies.includes(code)) invalid(f.title);
      return code;
    }
    case 'crm_status':
      return value === null || value === undefined || value === '' ? null : text(value).trim();
    case 'string':
      return value === null || value === undefined ? null : text(value);
  }
}

/**
 * Writable fields of `fields` in stored form. Unknown and read-only fields are ignored, as in
 * Bitrix24; immutable ones (CATEGORY_ID) only count on add.
 */
export function normalizeDealInput(
  portal: Portal,
  fields: Record<string, unknown>,
  mode: 'add' | 'update',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawName, value] of Object.entries(fields)) {
    const name = rawName.toUpperCase();
    const standard = STANDARD_FIELDS[name];
    if (standard) {
      if (standard.readOnly) continue;
      if (standard.immutable && mode === 'update') continue;
      out[name] = toStandardValue(portal, standard, value);
      continue;
    }
    const uf = portal.userFields.get(name);
    if (uf) out[name] = toUserFieldValue(uf, value);
  }
  return out;
}

/** A mandatory user field left empty. */
export function missingMandatory(
  portal: Portal,
  row: Record<string, unknown>,
): UserField | undefined {
  return [...portal.userFields.values()].find((uf) => {
    if (!uf.mandatory) return false;
    const v = row[uf.fieldName];
    return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
  });
}
