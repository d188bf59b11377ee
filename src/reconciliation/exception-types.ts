/** Stable names, the most dangerous first; `rank` in the table is the position here. */
export const EXCEPTION_TYPES = [
  'provider_paid_journal_pending',
  'provider_paid_journal_missing',
  'journal_paid_provider_not_paid',
  'amount_mismatch',
  'currency_mismatch',
  'refund_not_in_journal',
  'missing_order_id',
  'duplicate_provider_row',
  'malformed_row',
  'destination_not_paid',
  'destination_missing',
  'paid_outside_period',
] as const;
export type ExceptionType = (typeof EXCEPTION_TYPES)[number];

export function rankOf(type: ExceptionType): number {
  return EXCEPTION_TYPES.indexOf(type) + 1;
}

/** The SQL `CASE` giving a type its rank, from the one list above. */
export function rankSql(typeExpr: string): string {
  const whens = EXCEPTION_TYPES.map((t, i) => `WHEN '${t}' THEN ${i + 1}`).join(' ');
  return `CASE ${typeExpr} ${whens} END`;
}

export type RepairAction = 'lookup' | 'redeliver' | 'resolve';

/** Which repairs make sense for a type (resolve always does). */
export const REPAIRS: Record<ExceptionType, readonly RepairAction[]> = {
  provider_paid_journal_pending: ['lookup', 'resolve'],
  provider_paid_journal_missing: ['lookup', 'resolve'],
  journal_paid_provider_not_paid: ['lookup', 'resolve'],
  amount_mismatch: ['lookup', 'resolve'],
  currency_mismatch: ['lookup', 'resolve'],
  refund_not_in_journal: ['lookup', 'resolve'],
  missing_order_id: ['lookup', 'resolve'],
  duplicate_provider_row: ['resolve'],
  malformed_row: ['resolve'],
  destination_not_paid: ['redeliver', 'resolve'],
  destination_missing: ['redeliver', 'resolve'],
  paid_outside_period: ['resolve'],
};
