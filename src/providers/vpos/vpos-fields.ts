export interface VposFieldMap {
  eventId: string;
  eventType: string;
  eventCreatedAt: string;
  sessionId: string;
  orderId: string;
  amountMinor: string;
  currency: string;
  status: string;
  lookupStatus: string;
  lookupAmountMinor: string;
  lookupCurrency: string;
  lookupOrderId: string;
  lookupCustomerPhone: string;
  lookupCustomerId: string;
  lookupCrm: string;
  lookupRefundedAmountMinor: string;
}

export const DEFAULT_VPOS_FIELDS: VposFieldMap = {
  eventId: 'id',
  eventType: 'type',
  eventCreatedAt: 'createdAt',
  sessionId: 'data.id',
  orderId: 'data.merchantOrderId',
  amountMinor: 'data.amountMinor',
  currency: 'data.currency',
  status: 'data.status',
  lookupStatus: 'status',
  lookupAmountMinor: 'amountMinor',
  lookupCurrency: 'currency',
  lookupOrderId: 'merchantOrderId',
  lookupCustomerPhone: 'customer.phone',
  lookupCustomerId: 'metadata.customerId',
  lookupCrm: 'metadata.crm',
  lookupRefundedAmountMinor: 'refundedAmountMinor',
};

export function parseVposFieldMap(
  overrides: Record<string, unknown>,
  problems: string[],
): VposFieldMap {
  const fields = { ...DEFAULT_VPOS_FIELDS };
  for (const [key, path] of Object.entries(overrides)) {
    if (!(key in DEFAULT_VPOS_FIELDS)) {
      problems.push(`VPOS_FIELD_MAP has unknown key ${key}`);
    } else if (typeof path !== 'string' || !/^[\w$-]+(\.[\w$-]+)*$/.test(path)) {
      problems.push(`VPOS_FIELD_MAP.${key} must be a dot path like data.status`);
    } else {
      fields[key as keyof VposFieldMap] = path;
    }
  }
  return fields;
}
