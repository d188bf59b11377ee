import {
  backoffDelayMs,
  DELIVERY_MAX_ATTEMPTS,
  deliveryBackoffMs,
  jobIds,
  jobIdSql,
} from './queues';

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

  it('delivery retries span at least three days even with the shortest jitter', () => {
    let total = 0;
    for (let a = 1; a < DELIVERY_MAX_ATTEMPTS; a++)
      total += deliveryBackoffMs(a, undefined, () => 0);
    expect(total).toBeGreaterThan(3 * 24 * 3600_000);
  });

  it('a delivery job id changes with each enqueue', () => {
    expect(jobIds.delivery('d1', 1)).not.toBe(jobIds.delivery('d1', 2));
    expect(jobIdSql.delivery("'d1'", '1')).toBe("'delivery-' || 'd1' || '-' || 1");
  });
});
