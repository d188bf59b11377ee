import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';

export const APP_ROLES = ['all', 'api', 'worker'] as const;
export type AppRole = (typeof APP_ROLES)[number];
export const HUB_MODES = ['live', 'sandbox'] as const;
export type HubMode = (typeof HUB_MODES)[number];

import { trim, URL_OPTS } from './config-section';

/**
 * The hub's own environment variables; each connector adds its section (`ConfigSection`).
 */
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
  @IsUrl(URL_OPTS, { message: 'must be an absolute http(s) URL' })
  VPOS_API_BASE_URL = 'https://api.vpos.am';

  @IsOptional()
  @Transform(trim)
  @IsString()
  VPOS_API_TOKEN?: string;

  @Transform(trim)
  @IsString({ message: 'is required' })
  @IsNotEmpty({ message: 'is required' })
  VPOS_WEBHOOK_SECRETS: string;

  @Transform(trim)
  @IsIn(['standard-webhooks', 'hmac-sha256'], {
    message: 'must be standard-webhooks or hmac-sha256',
  })
  VPOS_SIGNATURE_SCHEME: 'standard-webhooks' | 'hmac-sha256' = 'standard-webhooks';

  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'must be an HTTP header name' })
  VPOS_SIGNATURE_HEADER = 'x-vpos-signature';

  @Transform(trim)
  @IsIn(['hex', 'base64'], { message: 'must be hex or base64' })
  VPOS_SIGNATURE_ENCODING: 'hex' | 'base64' = 'hex';

  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(86400)
  VPOS_WEBHOOK_TOLERANCE_SECONDS = 300;

  /** Status lookup path; `{id}` is replaced by the provider payment (session) id. */
  @Transform(trim)
  @Matches(/^\/.*\{id\}/, { message: 'must start with / and contain {id}' })
  VPOS_STATUS_PATH = '/v1/payment-sessions/{id}';

  @Transform(trim)
  @Matches(/^\/\S*$/, { message: 'must start with /' })
  VPOS_CREATE_SESSION_PATH = '/v1/payment-sessions';

  /** Sent as `provider` when creating sessions (VPOS routes to a bank or wallet by it). */
  @IsOptional()
  @Transform(trim)
  @IsString()
  VPOS_PAYMENT_PROVIDER?: string;

  /** Where the customer's browser returns after checkout (never proof of payment). */
  @IsOptional()
  @Transform(trim)
  @IsUrl(URL_OPTS, { message: 'must be an absolute http(s) URL' })
  VPOS_RETURN_URL?: string;

  /** Currencies a payment link may use; AMD unless configured. */
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

  /** Language of the ready WhatsApp message: hy, ru or en. */
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

  /** How often expiry and recovery run. */
  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(200)
  @Max(3600000)
  SCHEDULER_INTERVAL_MS = 30000;

  /** JSON object overriding field paths of the webhook body and lookup response. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  VPOS_FIELD_MAP?: string;

  /** JSON object of extra provider status -> our status entries, merged over the defaults. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  VPOS_STATUS_MAP?: string;

  /** Comma-separated CODE:exponent pairs; AMD 2 is assumed until VPOS publishes it. */
  @Transform(trim)
  @Matches(/^[A-Z]{3}:[0-4](,[A-Z]{3}:[0-4])*$/, { message: 'must look like AMD:2,USD:2' })
  CURRENCY_EXPONENTS = 'AMD:2,USD:2,EUR:2,RUB:2';

  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(100)
  @Max(120000)
  VPOS_HTTP_TIMEOUT_MS = 10000;

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

  @Transform(trim)
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'must be a pino level',
  })
  LOG_LEVEL = 'info';

  /** Comma-separated host:port that connectors may reach over plain http. */
  @IsOptional()
  @Transform(trim)
  @ValidateIf((_o, v) => v !== '')
  @Matches(/^[A-Za-z0-9.[\]:-]+:\d+(,[A-Za-z0-9.[\]:-]+:\d+)*$/, {
    message: 'must be comma-separated host:port entries',
  })
  CONNECTOR_INSECURE_HOSTS?: string;
}
