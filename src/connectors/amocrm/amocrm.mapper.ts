import type { PaymentEventV1 } from '../../payments/payment-event';
import type { PaymentStatus } from '../../domain/payment-status';
import { money, NoteLanguage, noteMarker, paymentNoteText } from '../shared/payment-note';
import type { DeliveryLink } from '../crm-connector';
import { KEEPS_WON } from '../shared/statuses';
import {
  AmocrmSettings,
  DEFAULT_LEAD_NAME,
  MappedStatus,
  MAPPED_STATUSES,
  statusTarget,
  WON_STATUS_ID,
} from './amocrm.settings';
import type { AmoLead } from './amocrm.types';

export { noteMarker };

export function isDelivered(status: PaymentStatus): status is MappedStatus {
  return (MAPPED_STATUSES as readonly string[]).includes(status);
}

/** amoCRM `price` is an integer in major units. */
export function majorUnits(amountMinor: number, exponent: number): number {
  return Math.round(amountMinor / 10 ** exponent);
}

interface FieldInput {
  field_id: number;
  values: Array<{ value: string | number }>;
}

export interface LeadInput {
  event: PaymentEventV1;
  link: DeliveryLink | null;
  exponent: number;
  language?: NoteLanguage;
}

// Only what differs: a won lead is not moved again, and only its empty fields are filled.
export function leadPatch(
  lead: AmoLead,
  input: LeadInput,
  settings: AmocrmSettings,
): Record<string, unknown> | null {
  const { event } = input;
  const patch: Record<string, unknown> = {};
  const won = lead.status_id === WON_STATUS_ID;
  const target = statusTarget(settings, event.type);
  if (target && !(won && KEEPS_WON.has(event.type))) {
    const pipelineId = target.pipelineId ?? lead.pipeline_id;
    if (lead.status_id !== target.statusId || lead.pipeline_id !== pipelineId) {
      patch.status_id = target.statusId;
      if (pipelineId !== lead.pipeline_id) patch.pipeline_id = pipelineId;
    }
  }
  const settling = event.type === 'paid' && !won;
  const price = settling ? priceOf(input) : undefined;
  if (price !== undefined && lead.price !== price) patch.price = price;
  const fields = fieldValues(input, settings).filter((f) => {
    const current = lead.custom_fields_values?.find((c) => c.field_id === f.field_id)?.values[0];
    const empty = current?.value === undefined || current.value === null || current.value === '';
    const onlyFill = !settling || f.field_id === settings.orderIdField;
    return onlyFill ? empty : empty || String(current.value) !== String(f.values[0].value);
  });
  if (fields.length > 0) patch.custom_fields_values = fields;
  return Object.keys(patch).length > 0 ? { id: lead.id, ...patch } : null;
}

/** A new lead for an order with none: the order id field always, so a retry finds it. */
export function newLeadBody(
  input: LeadInput,
  settings: AmocrmSettings,
  requestId: string,
): Record<string, unknown> {
  const { event } = input;
  const target = statusTarget(settings, event.type);
  const pipelineId = target?.pipelineId ?? settings.newLead?.pipelineId;
  const price = event.type === 'paid' ? priceOf(input) : undefined;
  return {
    request_id: requestId,
    name: leadName(settings.newLead?.name ?? DEFAULT_LEAD_NAME, input),
    ...(pipelineId !== undefined ? { pipeline_id: pipelineId } : {}),
    ...(target ? { status_id: target.statusId } : {}),
    ...(price !== undefined ? { price } : {}),
    custom_fields_values: fieldValues(input, settings),
  };
}

function fieldValues({ event, link }: LeadInput, settings: AmocrmSettings): FieldInput[] {
  const out: FieldInput[] = [];
  const put = (fieldId: number | undefined, value: string | number | null | undefined) => {
    if (fieldId !== undefined && value !== null && value !== undefined && value !== '') {
      out.push({ field_id: fieldId, values: [{ value }] });
    }
  };
  put(settings.orderIdField, event.orderId);
  if (event.type === 'paid') {
    const f = settings.fields ?? {};
    put(f.paidAt, Math.floor(Date.parse(event.occurredAt) / 1000) || undefined);
    put(f.providerReference, event.providerPaymentId);
    put(f.paymentLink, link?.url);
  }
  return out;
}

function priceOf({ event, exponent }: LeadInput): number | undefined {
  return event.amountMinor === null ? undefined : majorUnits(event.amountMinor, exponent);
}

function leadName(template: string, input: LeadInput): string {
  const { event, exponent } = input;
  const values: Record<string, string> = {
    orderId: event.orderId,
    amount: money(event.amountMinor, event.currency, exponent),
    phone: event.customer.phone ?? '',
  };
  return template.replace(/\{(\w+)\}/g, (all, key: string) => values[key] ?? all).slice(0, 255);
}

export function noteText(input: LeadInput): string {
  return paymentNoteText(input.event, input.link, input.exponent, input.language);
}

export function leadIdOf(event: PaymentEventV1): number | undefined {
  const raw = event.crm?.amocrmLeadId;
  return raw && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
}

type Fields = Array<{ field_id: number }>;

// As if applied in turn: later status and price win; a field both set keeps the earlier value.
export function mergePatches(a: Record<string, unknown>, b: Record<string, unknown>) {
  const fields = [
    ...((b.custom_fields_values as Fields | undefined) ?? []),
    ...((a.custom_fields_values as Fields | undefined) ?? []),
  ];
  const merged = [...new Map(fields.map((f) => [f.field_id, f])).values()];
  return { ...a, ...b, ...(merged.length > 0 ? { custom_fields_values: merged } : {}) };
}
