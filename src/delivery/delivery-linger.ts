import type { RateLimitRule } from '../connectors/crm-connector';

/** Longest a ready delivery waits to share a call while its connection's bucket refills. */
export const LINGER_MS = 5000;

/**
 * How long a partial call waits for more rows, given the tokens the bucket held before it: never
 * once the bucket is about full (its refill would be thrown away) nor past LINGER_MS of the row's
 * age. A full bucket (light traffic) sends at once.
 */
export function lingerMs(rule: RateLimitRule, tokens: number, readyForMs: number): number {
  const tokenMs = 1000 / rule.refillPerSecond;
  const toFullMs = (rule.capacity - tokens) * tokenMs;
  if (toFullMs < tokenMs) return 0;
  return Math.max(0, Math.min(toFullMs, LINGER_MS - readyForMs));
}
