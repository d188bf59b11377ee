import type { RateLimitRule } from '../connectors/crm-connector';

/** Longest a ready delivery waits to share a call while its connection's bucket refills. */
export const LINGER_MS = 5000;

/**
 * How long a partial call waits for more rows, given the tokens the bucket held before it. While
 * the bucket holds at least half its capacity the call goes at once: light traffic keeps its
 * latency, and a burst spends half its tokens before calls start to wait. Below half, it waits
 * until the bucket is back at half (its refill is never thrown away) and never past LINGER_MS of
 * the row's age.
 */
export function lingerMs(rule: RateLimitRule, tokens: number, readyForMs: number): number {
  const half = rule.capacity / 2;
  if (tokens >= half) return 0;
  const toHalfMs = ((half - tokens) * 1000) / rule.refillPerSecond;
  return Math.max(0, Math.min(toHalfMs, LINGER_MS - readyForMs));
}
