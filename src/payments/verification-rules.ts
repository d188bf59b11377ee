import type { VposWebhookClaim } from '../providers/vpos/vpos-event';
import type { VposSessionView } from '../providers/vpos/vpos.client';
import type { MappedStatus } from '../providers/vpos/vpos-status';
import type { Mismatch } from './payment-event';
import { statusRank } from './payment-state';

export interface OwnRecord {
  orderId?: string | null;
  amountMinor?: number | null;
  currency?: string | null;
}

// Webhook vs status lookup vs our record: any difference sends the event to manual review.
export function findMismatches(
  claim: VposWebhookClaim,
  claimedStatus: MappedStatus | undefined,
  lookup: VposSessionView,
  record: OwnRecord | undefined,
): Mismatch[] {
  const out: Mismatch[] = [];
  const check = (
    field: Mismatch['field'],
    source: Mismatch['source'],
    expected: string | number | null | undefined,
    actual: string | number | null | undefined,
  ) => {
    if (expected !== actual)
      out.push({ field, source, expected: expected ?? null, actual: actual ?? null });
  };

  // The lookup must itself carry the facts we compare on.
  if (lookup.orderId === undefined) check('orderId', 'lookup', claim.orderId, null);
  if (lookup.amountMinor === undefined) check('amountMinor', 'lookup', claim.amountMinor, null);
  if (lookup.currency === undefined) check('currency', 'lookup', claim.currency, null);

  if (claim.orderId !== undefined && lookup.orderId !== undefined) {
    check('orderId', 'webhook', lookup.orderId, claim.orderId);
  }
  if (claim.amountMinor !== undefined && lookup.amountMinor !== undefined) {
    check('amountMinor', 'webhook', lookup.amountMinor, claim.amountMinor);
  }
  if (claim.currency !== undefined && lookup.currency !== undefined) {
    check('currency', 'webhook', lookup.currency, claim.currency);
  }

  if (record) {
    if (record.orderId != null && lookup.orderId !== undefined) {
      check('orderId', 'record', record.orderId, lookup.orderId);
    }
    if (record.amountMinor != null && lookup.amountMinor !== undefined) {
      check('amountMinor', 'record', record.amountMinor, lookup.amountMinor);
    }
    if (record.currency != null && lookup.currency !== undefined) {
      check('currency', 'record', record.currency, lookup.currency);
    }
  }

  if (
    claimedIsAhead(claimedStatus, lookup.status) ||
    claimedConflicts(claimedStatus, lookup.status)
  ) {
    check('status', 'webhook', lookup.providerStatus, claim.status);
  }
  return out;
}

/** The webhook reports a later stage than the lookup: the lookup may lag, so retry first. */
export function claimedIsAhead(claimed: MappedStatus | undefined, lookup: MappedStatus): boolean {
  return (
    !!claimed?.known &&
    lookup.known &&
    claimed.status !== lookup.status &&
    statusRank(claimed.status) > statusRank(lookup.status)
  );
}

/** Same stage, different outcome (paid vs failed): the provider contradicts itself. */
function claimedConflicts(claimed: MappedStatus | undefined, lookup: MappedStatus): boolean {
  return (
    !!claimed?.known &&
    lookup.known &&
    claimed.status !== lookup.status &&
    statusRank(claimed.status) === statusRank(lookup.status)
  );
}
