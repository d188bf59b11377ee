import type { EntityManager } from 'typeorm';
import type { AuditRecord } from '../audit/audit.service';
import { JournalStep, reviewReason, StepEffect } from './payment-event.builder';
import { closeReviews, openReview, Resolution } from './payment-reviews';

export async function reviewStep(
  m: EntityManager,
  s: JournalStep,
  e: StepEffect,
  eventId: string,
): Promise<AuditRecord[]> {
  const audits: AuditRecord[] = [];
  if (e.opens) {
    const reason = reviewReason(s);
    const reviewId = await openReview(m, {
      orderId: s.order.order_id,
      attemptId: s.attempt.id,
      kind: e.opens,
      reason,
      mismatches: s.mismatches,
      eventId,
    });
    audits.push({
      kind: reviewId ? 'review.opened' : 'review.noted',
      actor: s.actor,
      data: { reviewId, kind: e.opens, reason, status: e.to, mismatches: s.mismatches },
    });
  }
  if (e.moves && e.from === 'manual_review') {
    const resolution = s.resolution ?? {
      resolution: 'auto',
      actor: s.actor,
      reason: 'a verified status lookup agrees with our record',
    };
    const ids = await closeReviews(m, { attemptId: s.attempt.id }, { ...resolution, eventId });
    audits.push({
      kind: 'review.resolved',
      actor: resolution.actor,
      data: {
        reviewIds: ids,
        decision: resolution.resolution,
        reason: resolution.reason,
        status: e.to,
      },
    });
  }
  return audits;
}

export async function clearFlagReviews(
  m: EntityManager,
  orderId: string,
  attemptId: string | null,
  r: Resolution,
): Promise<{ ids: string[]; audit?: AuditRecord }> {
  const ids = await closeReviews(m, attemptId ? { attemptId } : { orderId, kind: 'flag' }, {
    ...r,
    eventId: null,
  });
  if (!ids.length) return { ids };
  return {
    ids,
    audit: {
      kind: 'review.resolved',
      actor: r.actor,
      orderId,
      attemptId,
      data: { reviewIds: ids, decision: r.resolution, reason: r.reason, kind: 'flag' },
    },
  };
}
