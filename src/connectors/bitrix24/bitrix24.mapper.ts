import type { PaymentEventV1 } from '../../payments/payment-event';
import { NoteLanguage, noteMarker, paymentNoteText } from '../shared/payment-note';
import { KEEPS_WON as KEEP_WON, WRITTEN_STATUSES } from '../shared/statuses';
import type { DeliveryLink } from '../crm-connector';
import type { StageCatalog } from './bitrix24.catalog';
import { BITRIX24_DEFAULTS, Bitrix24Settings } from './bitrix24.settings';

export interface DealRef {
  id: number;
  categoryId: number;
  stageId: string;
  /** P in progress, S won, F lost. */
  semantic: string;
}

export interface DealChange {
  fields: Record<string, string | number>;
  stageNote?: string;
}

export { WRITTEN_STATUSES as WRITES };

export { noteMarker as commentMarker };

export function majorAmount(amountMinor: number, exponent: number): number {
  return amountMinor / 10 ** exponent;
}

function targetStage(
  event: PaymentEventV1,
  categoryId: number,
  settings: Bitrix24Settings,
  catalog: StageCatalog,
): { stage: string | null; note?: string } {
  const status = event.type as keyof NonNullable<Bitrix24Settings['stages']>;
  const mapped = settings.stages?.[status];
  if (!mapped) {
    return { stage: event.type === 'paid' ? catalog.wonStage(categoryId) : null };
  }
  const stage = catalog.resolve(mapped, categoryId);
  return stage
    ? { stage }
    : { stage: null, note: `stage ${mapped} is not in pipeline ${categoryId}; stage unchanged` };
}

function paymentFields(
  event: PaymentEventV1,
  link: DeliveryLink | null,
  settings: Bitrix24Settings,
  exponent: number,
): Record<string, string | number> {
  const fields: Record<string, string | number> = {};
  const map = settings.fields ?? {};
  if (event.type === 'paid') {
    if (event.amountMinor !== null && event.currency) {
      fields.OPPORTUNITY = majorAmount(event.amountMinor, exponent);
      fields.CURRENCY_ID = event.currency;
      fields.IS_MANUAL_OPPORTUNITY = 'Y';
    }
    if (map.paidAt) fields[map.paidAt] = event.occurredAt;
    if (map.providerReference && event.providerPaymentId) {
      fields[map.providerReference] = event.providerPaymentId;
    }
    if (map.paymentLink && link?.url) fields[map.paymentLink] = link.url;
  }
  if (
    (event.type === 'refunded' || event.type === 'partially_refunded') &&
    map.refundedAmount &&
    event.refundedAmountMinor !== null
  ) {
    fields[map.refundedAmount] = majorAmount(event.refundedAmountMinor, exponent);
  }
  return fields;
}

export function dealChange(
  event: PaymentEventV1,
  deal: DealRef,
  link: DeliveryLink | null,
  settings: Bitrix24Settings,
  catalog: StageCatalog,
  exponent: number,
): DealChange {
  const fields = paymentFields(event, link, settings, exponent);
  const { stage, note } = targetStage(event, deal.categoryId, settings, catalog);
  let stageNote = note;
  if (stage && stage !== deal.stageId) {
    if (deal.semantic === 'S' && KEEP_WON.has(event.type)) {
      stageNote = `deal already won (${deal.stageId}); not moved`;
    } else {
      fields.STAGE_ID = stage;
    }
  }
  return { fields, stageNote };
}

/** Fields of a deal the hub creates for an order: found again by its order id on a retry. */
export function newDealFields(
  event: PaymentEventV1,
  link: DeliveryLink | null,
  settings: Bitrix24Settings,
  catalog: StageCatalog,
  exponent: number,
): Record<string, string | number> {
  const categoryId = settings.newDeal?.categoryId ?? 0;
  const orderIdField = settings.orderIdField ?? BITRIX24_DEFAULTS.orderIdField;
  const title = (settings.newDeal?.title ?? 'Order {orderId}')
    .replaceAll('{orderId}', event.orderId)
    .replaceAll('{description}', link?.description ?? '');
  const fields: Record<string, string | number> = {
    TITLE: title.trim() || `Order ${event.orderId}`,
    CATEGORY_ID: categoryId,
    ORIGINATOR_ID: settings.originatorId ?? BITRIX24_DEFAULTS.originatorId,
    ORIGIN_ID: event.orderId,
    ...paymentFields(event, link, settings, exponent),
  };
  if (orderIdField !== 'ORIGIN_ID') fields[orderIdField] = event.orderId;
  if (event.amountMinor !== null && event.currency && fields.OPPORTUNITY === undefined) {
    fields.OPPORTUNITY = majorAmount(event.amountMinor, exponent);
    fields.CURRENCY_ID = event.currency;
  }
  const stage =
    targetStage(event, categoryId, settings, catalog).stage ??
    (settings.newDeal?.stageId ? catalog.resolve(settings.newDeal.stageId, categoryId) : null);
  if (stage) fields.STAGE_ID = stage;
  if (settings.newDeal?.assignedById) fields.ASSIGNED_BY_ID = settings.newDeal.assignedById;
  return fields;
}

export function commentText(
  event: PaymentEventV1,
  link: DeliveryLink | null,
  exponent: number,
  language?: NoteLanguage,
): string {
  return paymentNoteText(event, link, exponent, language);
}
