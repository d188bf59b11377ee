import type { DefaultJobOptions } from 'bullmq';

/** Every queue of the hub; jobs carry ids only, the database row carries the state. */
export const QUEUES = {
  verification: 'payment-verification',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  verifyWebhook: 'verify-webhook',
} as const;

export interface VerifyWebhookJob {
  webhookEventId: string;
}

/** The only place job ids are made: the same work always gets the same id. */
export const jobIds = {
  verifyWebhook: (webhookEventId: string) => `verify-${webhookEventId}`,
};

/** The same ids as SQL expressions, for outbox rows written inside one statement. */
export const jobIdSql = {
  verifyWebhook: (idExpr: string) => `'verify-' || ${idExpr}`,
};

/** ~30 attempts with capped exponential backoff: about a day of VPOS outage before `failed`. */
export const VERIFY_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 30,
  backoff: { type: 'capped-exponential' },
  removeOnComplete: { age: 24 * 3600, count: 50_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 3600_000;

/** Full-jitter exponential backoff, capped, never shorter than the server's Retry-After. */
export function backoffDelayMs(
  attemptsMade: number,
  retryAfterMs?: number,
  random = Math.random,
): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attemptsMade - 1));
  const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.max(delay, retryAfterMs ?? 0);
}
