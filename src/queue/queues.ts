import type { DefaultJobOptions } from 'bullmq';

/** Every queue of the hub; jobs carry ids only, the database row carries the state. */
export const QUEUES = {
  verification: 'payment-verification',
  deliveries: 'deliveries',
  linkSchedules: 'payment-link-schedules',
  deliverySweeps: 'delivery-sweeps',
  reconciliation: 'reconciliation',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
/** The queues the outbox publishes to (work caused by a committed row). */
export type OutboxQueueName =
  typeof QUEUES.verification | typeof QUEUES.deliveries | typeof QUEUES.reconciliation;

export const JOBS = {
  verifyWebhook: 'verify-webhook',
  deliver: 'deliver',
  expireLinks: 'expire-links',
  recoverPayments: 'recover-payments',
  sweepDeliveries: 'sweep-deliveries',
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

/** The only place job ids are made: the same work always gets the same id. */
export const jobIds = {
  verifyWebhook: (webhookEventId: string) => `verify-${webhookEventId}`,
  /** Each (re)enqueue of a delivery bumps its enqueue_seq, so a replay is never deduped away. */
  delivery: (deliveryId: string, enqueueSeq: number) => `delivery-${deliveryId}-${enqueueSeq}`,
  reconcile: (runId: string) => `reconcile-${runId}`,
};

/** The same ids as SQL expressions, for outbox rows written inside one statement. */
export const jobIdSql = {
  verifyWebhook: (idExpr: string) => `'verify-' || ${idExpr}`,
  delivery: (idExpr: string, seqExpr: string) => `'delivery-' || ${idExpr} || '-' || ${seqExpr}`,
};

/**
 * Periodic work runs as BullMQ job schedulers, not timers: each tick is one job that exactly one
 * worker of all the replicas takes, and the schedulers show in the queue dashboard.
 */
export const SCHEDULES = {
  expireLinks: { queue: QUEUES.linkSchedules, job: JOBS.expireLinks },
  recoverPayments: { queue: QUEUES.linkSchedules, job: JOBS.recoverPayments },
  sweepDeliveries: { queue: QUEUES.deliverySweeps, job: JOBS.sweepDeliveries },
  /** Daily, on a cron pattern (RECONCILIATION_SCHEDULE) rather than an interval. */
  reconcileDaily: { queue: QUEUES.reconciliation, job: JOBS.reconcileDaily },
} as const;

/** A missed tick is simply the next one; a failed one is kept for a look. */
export const SCHEDULE_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 1,
  removeOnComplete: { count: 100 },
  removeOnFail: { age: 24 * 3600, count: 1000 },
};

/** ~30 attempts with capped exponential backoff: about a day of VPOS outage before `failed`. */
export const VERIFY_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 30,
  backoff: { type: 'capped-exponential' },
  removeOnComplete: { age: 24 * 3600, count: 50_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** A run is one attempt: a crash leaves the run `failed` for a person to start again. */
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

/**
 * Exponential backoff with "equal jitter" (half fixed, half random), capped, and never sooner
 * than the server's Retry-After. `attempt` counts the failures so far (1 = first retry).
 */
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

/** 40 attempts, 2 s doubling to an 8 h cap: at least ~4.4 days before a delivery is dead. */
export const DELIVERY_MAX_ATTEMPTS = 40;

export function deliveryBackoffMs(attempt: number, retryAfterMs?: number, random = Math.random) {
  return jitteredBackoff(attempt, 2000, 8 * 3600_000, retryAfterMs, random);
}

/** Verification: 1 s doubling to a 1 h cap. */
export function backoffDelayMs(attemptsMade: number, retryAfterMs?: number, random = Math.random) {
  return jitteredBackoff(attemptsMade, 1000, 3600_000, retryAfterMs, random);
}
