import type { VposWebhookClaim } from '../providers/vpos/vpos-event';
import type { MappedStatus } from '../providers/vpos/vpos-status';
import type { VposSessionView } from '../providers/vpos/vpos.client';
import type { Mismatch, PaymentEventV1 } from './payment-event';

export interface VerifiedInput {
  rawEventId: string | null;
  providerEventId: string | null;
  receivedAt: Date;
  claim: VposWebhookClaim;
  claimedStatus?: MappedStatus;
  /** null when the provider does not know the session at all. */
  lookup: VposSessionView | null;
  verifiedBy: PaymentEventV1['verifiedBy'];
  /** An operator asked for this lookup: audited as theirs; an agreeing lookup clears a flag. */
  operator?: { actor: string; reason: string };
}

export interface LocalChange {
  attemptId: string;
  status: 'expired' | 'cancelled' | 'paid' | 'failed';
  verifiedBy: 'scheduler' | 'operator';
  actor: string;
  reason: string;
  /** An operator's decision on a review: only from manual_review, through the state machine. */
  decision?: 'accept_paid' | 'mark_failed';
}

export type JournalOutcome =
  | { result: 'already_done' }
  | { result: 'unchanged' }
  | { result: 'no_order'; mismatches: Mismatch[] }
  | { result: 'recorded'; event: PaymentEventV1 };
