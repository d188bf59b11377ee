import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  Validate,
  ValidateIf,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';

export const APP_ROLES = ['all', 'api', 'worker'] as const;
export type AppRole = (typeof APP_ROLES)[number];
export const HUB_MODES = ['live', 'sandbox'] as const;
export type HubMode = (typeof HUB_MODES)[number];

import { trim, URL_OPTS } from './env-transforms';

@ValidatorConstraint({ name: 'timeZone' })
class IsTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    try {
      return typeof value === 'string' && !!new Intl.DateTimeFormat('en', { timeZone: value });
    } catch {
      return false;
    }
  }
  defaultMessage(): string {
    return 'must be an IANA time zone such as Asia/Yerevan';
  }
}

export class EnvSchema {
  @Transform(trim)
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/vpos_hub';

  @Transform(trim)
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every BullMQ key; lets several hubs (or test runs) share one Redis. */
  @Transform(trim)
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'must be 1-32 letters, digits, _ or -' })
  QUEUE_PREFIX = 'vposhub';

  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Transform(trim)
  @IsUrl(URL_OPTS, { message: 'must be an absolute http(s) URL' })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  @Transform(trim)
  @IsIn(APP_ROLES, { message: `must be one of ${APP_ROLES.join(', ')}` })
  APP_ROLE: AppRole = 'all';

  /** live: the real VPOS and CRMs; sandbox: the bundled emulators (`npm run hub` writes it). */
  @Transform(trim)
  @IsIn(HUB_MODES, { message: `must be one of ${HUB_MODES.join(', ')}` })
  HUB_MODE: HubMode = 'live';

  @IsOptional()
  @Transform(trim)
  @IsString()
  NODE_ENV?: string;

  @Transform(trim)
  @IsString({ message: 'is required' })
  @Matches(/^\S{24,}$/, { message: 'must be at least 24 characters without spaces' })
  ADMIN_TOKEN: string;

  @Transform(trim)
  @IsString({ message: 'is required' })
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be 32 bytes encoded as base64 (44 chars)' })
  ENCRYPTION_KEY: string;

  @Transform(trim)
  @Matches(/^[A-Z]{3}(,[A-Z]{3})*$/, { message: 'must be comma-separated ISO 4217 codes' })
  PAYMENT_LINK_CURRENCIES = 'AMD';

  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(60)
  @Max(90 * 86400)
  PAYMENT_LINK_DEFAULT_TTL_SECONDS = 86400;

  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(60)
  @Max(365 * 86400)
  PAYMENT_LINK_MAX_TTL_SECONDS = 30 * 86400;

  @Transform(trim)
  @IsIn(['hy', 'ru', 'en'], { message: 'must be hy, ru or en' })
  PAYMENT_LINK_LANGUAGE: 'hy' | 'ru' | 'en' = 'hy';

  /** Optional message templates ({orderId} {amount} {description} {expiresAt} {url}). */
  @IsOptional()
  @IsString()
  PAYMENT_LINK_TEMPLATE_HY?: string;

  @IsOptional()
  @IsString()
  PAYMENT_LINK_TEMPLATE_RU?: string;

  @IsOptional()
  @IsString()
  PAYMENT_LINK_TEMPLATE_EN?: string;

  /** An attempt still pending this long is looked up at VPOS (missed-webhook recovery). */
  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(5)
  @Max(86400)
  RECOVERY_AFTER_SECONDS = 600;

  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(200)
  @Max(3600000)
  SCHEDULER_INTERVAL_MS = 30000;

  /** Comma-separated CODE:exponent pairs; AMD 2 is assumed until VPOS publishes it. */
  @Transform(trim)
  @Matches(/^[A-Z]{3}:[0-4](,[A-Z]{3}:[0-4])*$/, { message: 'must look like AMD:2,USD:2' })
  CURRENCY_EXPONENTS = 'AMD:2,USD:2,EUR:2,RUB:2';

  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(200)
  VERIFY_CONCURRENCY = 16;

  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(10)
  @Max(60000)
  OUTBOX_POLL_MS = 200;

  /** How long a claimed delivery is reserved; after that a dead worker's work is re-run. */
  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(2)
  @Max(3600)
  DELIVERY_LEASE_SECONDS = 120;

  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(200)
  @Max(600000)
  SWEEP_INTERVAL_MS = 15000;

  // A webhook still unverified this long lost its job (Redis came back empty): publish it again.
  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(5)
  @Max(86400)
  UNVERIFIED_REQUEUE_SECONDS = 300;

  @Transform(trim)
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'must be a pino level',
  })
  LOG_LEVEL = 'info';

  /** IANA zone the console shows times in and counts "today" by. */
  @Transform(trim)
  @Validate(IsTimeZone)
  BUSINESS_TIME_ZONE = 'Asia/Yerevan';

  /** Comma-separated host:port that connectors may reach over plain http. */
  @IsOptional()
  @Transform(trim)
  @ValidateIf((_o, v) => v !== '')
  @Matches(/^[A-Za-z0-9.[\]:-]+:\d+(,[A-Za-z0-9.[\]:-]+:\d+)*$/, {
    message: 'must be comma-separated host:port entries',
  })
  CONNECTOR_INSECURE_HOSTS?: string;
}
