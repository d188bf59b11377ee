import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { redisOptionsFromUrl } from '../queue/redis-connection';

/** Its own client with no offline queue, so a ping fails at once while Redis is down. */
@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private readonly client: Redis;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly health: HealthIndicatorService,
  ) {
    this.client = new Redis({
      ...redisOptionsFromUrl(config.redis.url),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.client.on('error', () => undefined);
  }

  async check(key: string) {
    const indicator = this.health.check(key);
    try {
      if (this.client.status === 'wait') await this.client.connect();
      const pong = await Promise.race([
        this.client.ping(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), 1000).unref(),
        ),
      ]);
      return pong === 'PONG' ? indicator.up() : indicator.down({ message: String(pong) });
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }

  onModuleDestroy(): void {
    this.client.disconnect();
  }
}
