import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  OnModuleDestroy,
  ServiceUnavailableException,
} from '@nestjs/common';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { redisOptionsFromUrl } from '../queue/redis-connection';

export const SIGN_IN_LIMIT = { failures: 5, windowSeconds: 15 * 60 } as const;

export class TooManySignInsException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      `email: too many failed sign-ins; try again in ${retryAfterSeconds} s`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** Failed sign-ins counted per client address and email, in Redis so every API process agrees. */
@Injectable()
export class SignInLimiter implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = new Redis({
      ...redisOptionsFromUrl(config.redis.url),
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
    });
    this.prefix = `${config.redis.prefix}:signin`;
  }

  private key(ip: string, email: string): string {
    const id = createHash('sha256').update(`${ip}\n${email.trim().toLowerCase()}`).digest('hex');
    return `${this.prefix}:${id}`;
  }

  async assertAllowed(ip: string, email: string): Promise<void> {
    const key = this.key(ip, email);
    const [count, ttl] = await this.run(() =>
      Promise.all([this.redis.get(key), this.redis.ttl(key)]),
    );
    if (Number(count ?? 0) >= SIGN_IN_LIMIT.failures) {
      throw new TooManySignInsException(ttl > 0 ? ttl : SIGN_IN_LIMIT.windowSeconds);
    }
  }

  async failed(ip: string, email: string): Promise<void> {
    const key = this.key(ip, email);
    await this.run(() =>
      this.redis.multi().incr(key).expire(key, SIGN_IN_LIMIT.windowSeconds, 'NX').exec(),
    );
  }

  async succeeded(ip: string, email: string): Promise<void> {
    await this.run(() => this.redis.del(this.key(ip, email)));
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch {
      throw new ServiceUnavailableException('sign-in is unavailable: Redis does not answer');
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
