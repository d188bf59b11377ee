import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import type { ConfigSection } from './config-section';
import { AppRole, EnvSchema, HubMode } from './env.schema';

export const APP_CONFIG = Symbol('APP_CONFIG');

export interface CrmConfig {
  [section: string]: unknown;
}

export interface HubConfig {
  role: AppRole;
  mode: HubMode;
  http: { port: number; publicBaseUrl: string };
  database: { url: string };
  redis: { url: string; prefix: string };
  adminToken: string;
  encryptionKey: Buffer;
  logLevel: string;
  businessTimeZone: string;
  links: {
    currencies: string[];
    defaultTtlSeconds: number;
    maxTtlSeconds: number;
    language: 'hy' | 'ru' | 'en';
    templates: Partial<Record<'hy' | 'ru' | 'en', string>>;
    recoveryAfterSeconds: number;
    schedulerIntervalMs: number;
  };
  workers: {
    verifyConcurrency: number;
    outboxPollMs: number;
    deliveryLeaseSeconds: number;
    sweepIntervalMs: number;
    unverifiedRequeueSeconds: number;
  };
  connectors: { insecureHosts: string[] };
  crm: CrmConfig;
}

/** The hub's settings plus what providers declare (`vpos`: providers/vpos/vpos.config.ts). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- providers merge their keys in
export interface AppConfig extends HubConfig {}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function flatten(errors: ValidationError[]): string[] {
  return errors.map((e) => {
    const why = Object.values(e.constraints ?? {}).join('; ') || 'is invalid';
    return `${e.property} ${why}`;
  });
}

function modeProblems(parsed: EnvSchema): string[] {
  return parsed.HUB_MODE === 'sandbox' && parsed.NODE_ENV === 'production'
    ? ['HUB_MODE sandbox is refused when NODE_ENV=production (set HUB_MODE=live)']
    : [];
}

export function buildConfig(
  env: NodeJS.ProcessEnv,
  sections: readonly ConfigSection[] = [],
): AppConfig {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = plainToInstance(EnvSchema, raw, { exposeDefaultValues: true });
  const problems = flatten(validateSync(parsed, { skipMissingProperties: false }));

  const crm = {} as CrmConfig;
  const provided: Record<string, unknown> = {};
  for (const section of sections) {
    const env = plainToInstance(section.schema, raw, { exposeDefaultValues: true });
    problems.push(...flatten(validateSync(env, { skipMissingProperties: false })));
    (section.root ? provided : crm)[section.key] = section.load(env, problems, parsed);
  }
  for (const code of (parsed.PAYMENT_LINK_CURRENCIES ?? '').split(',')) {
    if (code && !new RegExp(`(^|,)${code}:`).test(parsed.CURRENCY_EXPONENTS ?? '')) {
      problems.push(
        `PAYMENT_LINK_CURRENCIES has ${code}, which CURRENCY_EXPONENTS does not define`,
      );
    }
  }
  if (parsed.PAYMENT_LINK_DEFAULT_TTL_SECONDS > parsed.PAYMENT_LINK_MAX_TTL_SECONDS) {
    problems.push('PAYMENT_LINK_DEFAULT_TTL_SECONDS must not exceed PAYMENT_LINK_MAX_TTL_SECONDS');
  }
  problems.push(...modeProblems(parsed));
  if (problems.length > 0) throw new ConfigError(problems);

  const hub: HubConfig = {
    role: parsed.APP_ROLE,
    mode: parsed.HUB_MODE,
    http: { port: parsed.PORT, publicBaseUrl: parsed.PUBLIC_BASE_URL.replace(/\/+$/, '') },
    database: { url: parsed.DATABASE_URL },
    redis: { url: parsed.REDIS_URL, prefix: parsed.QUEUE_PREFIX },
    adminToken: parsed.ADMIN_TOKEN,
    encryptionKey: Buffer.from(parsed.ENCRYPTION_KEY, 'base64'),
    logLevel: parsed.LOG_LEVEL,
    businessTimeZone: parsed.BUSINESS_TIME_ZONE,
    links: {
      currencies: parsed.PAYMENT_LINK_CURRENCIES.split(','),
      defaultTtlSeconds: parsed.PAYMENT_LINK_DEFAULT_TTL_SECONDS,
      maxTtlSeconds: parsed.PAYMENT_LINK_MAX_TTL_SECONDS,
      language: parsed.PAYMENT_LINK_LANGUAGE,
      templates: {
        hy: parsed.PAYMENT_LINK_TEMPLATE_HY || undefined,
        ru: parsed.PAYMENT_LINK_TEMPLATE_RU || undefined,
        en: parsed.PAYMENT_LINK_TEMPLATE_EN || undefined,
      },
      recoveryAfterSeconds: parsed.RECOVERY_AFTER_SECONDS,
      schedulerIntervalMs: parsed.SCHEDULER_INTERVAL_MS,
    },
    workers: {
      verifyConcurrency: parsed.VERIFY_CONCURRENCY,
      outboxPollMs: parsed.OUTBOX_POLL_MS,
      deliveryLeaseSeconds: parsed.DELIVERY_LEASE_SECONDS,
      sweepIntervalMs: parsed.SWEEP_INTERVAL_MS,
      unverifiedRequeueSeconds: parsed.UNVERIFIED_REQUEUE_SECONDS,
    },
    crm,
    connectors: {
      insecureHosts: (parsed.CONNECTOR_INSECURE_HOSTS ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    },
  };
  return { ...hub, ...provided } as AppConfig;
}
