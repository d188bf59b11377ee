import type { DefaultJobOptions } from 'bullmq';

export const QUEUES = {
  verification: 'payment-verification',
  deliveries: 'deliveries',
  linkSchedules: 'payment-link-schedules',
  deliverySweeps: 'delivery-sweeps',
  crmLinks: 'crm-links',
  reconciliation: 'reconciliation',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export type OutboxQueueName =
  | typeof QUEUES.verification
  | typeof QUEUES.deliveries
  | typeof QUEUES.crmLinks
  | typeof QUEUES.reconciliation;

export const JOBS = {
  verifyWebhook: 'verify-webhook',
  deliver: 'deliver',
  expireLinks: 'expire-links',
  recoverPayments: 'recover-payments',
  sweepDeliveries: 'sweep-deliveries',
  crmEvent: 'crm-event',
  crmSubscribe: 'crm-subscribe',
  reconcile: 'reconcile',
  reconcileDaily: 'reconcile-daily',
} as const;

export interface VerifyWebhookJob {
  webhookEventId: string;
}

export interface ReconcileJob {
  runId: string;
}

export interface DeliverJob {
  deliveryId: string;
}

export interface CrmEventJob {
  crmEventId: string;
}

export interface CrmSubscribeJob {
  connectionId: string;
}

export const jobIds = {
  verifyWebhook: (webhookEventId: string) => `verify-${webhookEventId}`,
  /** Each (re)enqueue of a delivery bumps its enqueue_seq, so a replay is never deduped away. */
  delivery: (deliveryId: string, enqueueSeq: number) => `delivery-${deliveryId}-${enqueueSeq}`,
  reconcile: (runId: string) => `reconcile-${runId}`,
};

export const jobIdSql = {
  verifyWebhook: (idExpr: string) => `'verify-' || ${idExpr}`,
  delivery: (idExpr: string, seqExpr: string) => `'delivery-' || ${idExpr} || '-' || ${seqExpr}`,
  /** A repeat of a worked event is a fresh look at its entity (seq = the event's rechecks). */
  crmEvent: (idExpr: string, seqExpr: string) => `'crm-event-' || ${idExpr} || '-' || ${seqExpr}`,
  /** Each settings change or reconnect is its own reconcile run. */
  crmSubscribe: (idExpr: string) =>
    `'crm-subscribe-' || ${idExpr} || '-' || (extract(epoch FROM clock_timestamp()) * 1000000)::bigint`,
};

export const SCHEDULES = {
  expireLinks: { queue: QUEUES.linkSchedules, job: JOBS.expireLinks },
  recoverPayments: { queue: QUEUES.linkSchedules, job: JOBS.recoverPayments },
  sweepDeliveries: { queue: QUEUES.deliverySweeps, job: JOBS.sweepDeliveries },
  /** Daily, on a cron pattern (RECONCILIATION_SCHEDULE) rather than an interval. */
  reconcileDaily: { queue: QUEUES.reconciliation, job: JOBS.reconcileDaily },
} as const;

export const SCHEDULE_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 1,
  removeOnComplete: { count: 100 },
  removeOnFail: { age: 24 * 3600, count: 1000 },
};

export const VERIFY_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 30,
  backoff: { type: 'capped-exponential' },
  removeOnComplete: { age: 24 * 3600, count: 50_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** A CRM or VPOS outage: about an hour of retries; the event row keeps the outcome. */
export const CRM_LINK_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

// A run is one attempt: a crash leaves the run `failed` for a person to start again.
export const RECONCILE_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 1,
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** Retries live in PostgreSQL (next_attempt_at); BullMQ only retries unexpected crashes. */
export const DELIVERY_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 3600, count: 20_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

// "Equal jitter", never sooner than Retry-After; `attempt` counts failures so far.
function jitteredBackoff(
  attempt: number,
  baseMs: number,
  capMs: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.max(delay, retryAfterMs ?? 0);
}

export const DELIVERY_MAX_ATTEMPTS = 40;

export function deliveryBackoffMs(attempt: number, retryAfterMs?: number, random = Math.random) {
  return jitteredBackoff(attempt, 2000, 8 * 3600_000, retryAfterMs, random);
}

export function backoffDelayMs(attemptsMade: number, retryAfterMs?: number, random = Math.random) {
  return jitteredBackoff(attemptsMade, 1000, 3600_000, retryAfterMs, random);
}
