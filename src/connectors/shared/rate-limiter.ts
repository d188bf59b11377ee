import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import type { RateLimitRule } from '../crm-connector';
import { redisOptionsFromUrl } from '../../queue/redis-connection';

// CRM limits are leaky buckets, i.e. token buckets (fixed windows allow double bursts); Redis time is one clock.
const TAKE = `
local cap = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or cap
local ts = tonumber(state[2]) or now
tokens = math.min(cap, tokens + math.max(0, now - ts) * per_ms)
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
else
  wait = math.ceil((cost - tokens) / per_ms)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(cap / per_ms) + 60000)
return {wait, tostring(tokens)}
`;

// Limits are per CRM account, so its connections share one bucket; `quotaKey` widens it (Google: per user).
export function rateLimitKey(connection: {
  id: string;
  type: string;
  account: Record<string, unknown>;
}): string {
  const { quotaKey, accountKey } = connection.account ?? {};
  const account = typeof quotaKey === 'string' && quotaKey ? quotaKey : accountKey;
  return typeof account === 'string' && account
    ? `${connection.type}:${account}`
    : `connection:${connection.id}`;
}

const GIVE = `
local cap = tonumber(ARGV[1])
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens'))
if tokens then
  redis.call('HSET', KEYS[1], 'tokens', tostring(math.min(cap, tokens + tonumber(ARGV[2]))))
end
return 0
`;

@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = new Redis({ ...redisOptionsFromUrl(config.redis.url), maxRetriesPerRequest: 3 });
    this.redis.on('error', () => undefined);
    this.prefix = `${config.redis.prefix}:ratelimit`;
  }

  async take(key: string, rule: RateLimitRule, cost = 1): Promise<number> {
    return (await this.takeWithLevel(key, rule, cost)).wait;
  }

  async takeWithLevel(
    key: string,
    rule: RateLimitRule,
    cost = 1,
  ): Promise<{ wait: number; left: number }> {
    const [wait, left] = (await this.redis.eval(
      TAKE,
      1,
      `${this.prefix}:${key}`,
      rule.capacity,
      rule.refillPerSecond / 1000,
      cost,
    )) as [number, string];
    return { wait: Number(wait), left: Number(left) };
  }

  async give(key: string, rule: RateLimitRule, count = 1): Promise<void> {
    await this.redis.eval(GIVE, 1, `${this.prefix}:${key}`, rule.capacity, count);
  }

  // Fails open when Redis is down: a settings check should not fail for it.
  async acquire(key: string, rule: RateLimitRule): Promise<void> {
    for (;;) {
      let wait: number;
      try {
        wait = await this.take(key, rule);
      } catch {
        return;
      }
      if (wait === 0) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
