import { backoffDelayMs, jobIds, jobIdSql } from './queues';

describe('queue rules', () => {
  it('job ids are deterministic and free of ":"', () => {
    expect(jobIds.verifyWebhook('abc')).toBe('verify-abc');
    expect(jobIds.verifyWebhook('abc')).not.toContain(':');
    // The SQL form must build the very same id.
    expect(jobIdSql.verifyWebhook("'abc'")).toBe("'verify-' || 'abc'");
  });

  it('backoff grows exponentially with jitter and is capped at an hour', () => {
    expect(backoffDelayMs(1, undefined, () => 0)).toBe(500);
    expect(backoffDelayMs(1, undefined, () => 1)).toBe(1000);
    expect(backoffDelayMs(5, undefined, () => 1)).toBe(16000);
    expect(backoffDelayMs(40, undefined, () => 1)).toBe(3600_000);
  });

  it('never retries sooner than Retry-After', () => {
    expect(backoffDelayMs(1, 30_000, () => 0)).toBe(30_000);
  });
});
