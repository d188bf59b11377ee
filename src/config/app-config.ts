import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { isPaymentStatus, PaymentStatus } from '../domain/payment-status';
import type { ConfigSection } from './config-section';
import { AppRole, EnvSchema, HubMode } from './env.schema';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Where each fact sits in a VPOS webhook body and status lookup response (dot paths). */
export interface VposFieldMap {
  eventId: string;
  eventType: string;
  eventCreatedAt: string;
  sessionId: string;
  orderId: string;
  amountMinor: string;
  currency: string;
  status: string;
  lookupStatus: string;
  lookupAmountMinor: string;
  lookupCurrency: string;
  lookupOrderId: string;
  lookupCustomerPhone: string;
  lookupCustomerId: string;
  lookupCrm: string;
  lookupRefundedAmountMinor: string;
}

export const DEFAULT_VPOS_FIELDS: VposFieldMap = {
  eventId: 'id',
  eventType: 'type',
  eventCreatedAt: 'createdAt',
  sessionId: 'data.id',
  orderId: 'data.merchantOrderId',
  amountMinor: 'data.amountMinor',
  currency: 'data.currency',
  status: 'data.status',
  lookupStatus: 'status',
  lookupAmountMinor: 'amountMinor',
  lookupCurrency: 'currency',
  lookupOrderId: 'merchantOrderId',
  lookupCustomerPhone: 'customer.phone',
  lookupCustomerId: 'metadata.customerId',
  lookupCrm: 'metadata.crm',
  lookupRefundedAmountMinor: 'refundedAmountMinor',
};

export interface CrmConfig {
  [section: string]: unknown;
}

export type SignatureScheme = 'standard-webhooks' | 'hmac-sha256';

export interface AppConfig {
  role: AppRole;
  mode: HubMode;
  http: { port: number; publicBaseUrl: string };
  database: { url: string };
  redis: { url: string; prefix: string };
  adminToken: string;
  encryptionKey: Buffer;
  logLevel: string;
  vpos: {
    apiBaseUrl: string;
    apiToken?: string;
    statusPath: string;
    createPath: string;
    paymentProvider?: string;
    returnUrl?: string;
    timeoutMs: number;
    fields: VposFieldMap;
    statusMap: Record<string, PaymentStatus>;
    currencyExponents: Record<string, number>;
    webhook: {
      scheme: SignatureScheme;
      secrets: Buffer[];
      header: string;
      encoding: 'hex' | 'base64';
      toleranceSeconds: number;
    };
  };
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
  };
  connectors: { insecureHosts: string[] };
  /** Filled by the connectors' config sections (each declares its key here). */
  crm: CrmConfig;
}

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

/** Standard Webhooks secrets are `whsec_<base64>`: the key is the decoded base64. */
function decodeSecret(secret: string, scheme: SignatureScheme): Buffer | undefined {
  if (scheme === 'hmac-sha256' && !secret.startsWith('whsec_')) {
    return Buffer.from(secret, 'utf8');
  }
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
  const key = Buffer.from(b64, 'base64');
  return key.length >= 16 ? key : undefined;
}

function parseJsonObject(name: string, raw: string | undefined, problems: string[]) {
  if (!raw) return {};
  try {
    const value: unknown = JSON.parse(raw);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // reported below
  }
  problems.push(`${name} must be a JSON object`);
  return {};
}

/** A production deployment never runs against emulators; live never runs without VPOS access. */
function modeProblems(parsed: EnvSchema): string[] {
  if (parsed.HUB_MODE === 'sandbox') {
    return parsed.NODE_ENV === 'production'
      ? ['HUB_MODE sandbox is refused when NODE_ENV=production (set HUB_MODE=live)']
      : [];
  }
  if (parsed.HUB_MODE !== 'live') return [];
  // VPOS_WEBHOOK_SECRETS is required in every mode and already named when missing.
  return parsed.VPOS_API_TOKEN
    ? []
    : ['VPOS_API_TOKEN is required when HUB_MODE=live (the merchant API token from VPOS)'];
}

/** Validates the environment once, with the given sections; one ConfigError names every bad variable. */
export function buildConfig(
  env: NodeJS.ProcessEnv,
  sections: readonly ConfigSection[] = [],
): AppConfig {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = plainToInstance(EnvSchema, raw, { exposeDefaultValues: true });
  const problems = flatten(validateSync(parsed, { skipMissingProperties: false }));

  const scheme = parsed.VPOS_SIGNATURE_SCHEME;
  const secrets: Buffer[] = [];
  (parsed.VPOS_WEBHOOK_SECRETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .forEach((secret, i) => {
      const key = decodeSecret(secret, scheme);
      if (key) secrets.push(key);
      else
        problems.push(
          `VPOS_WEBHOOK_SECRETS entry ${i + 1} must be whsec_<base64 of at least 16 bytes> for ${scheme}`,
        );
    });
  if (parsed.VPOS_WEBHOOK_SECRETS && secrets.length === 0 && problems.length === 0) {
    problems.push('VPOS_WEBHOOK_SECRETS must hold at least one secret');
  }

  const fieldOverrides = parseJsonObject('VPOS_FIELD_MAP', parsed.VPOS_FIELD_MAP, problems);
  const fields = { ...DEFAULT_VPOS_FIELDS };
  for (const [key, path] of Object.entries(fieldOverrides)) {
    if (!(key in DEFAULT_VPOS_FIELDS)) {
      problems.push(`VPOS_FIELD_MAP has unknown key ${key}`);
    } else if (typeof path !== 'string' || !/^[\w$-]+(\.[\w$-]+)*$/.test(path)) {
      problems.push(`VPOS_FIELD_MAP.${key} must be a dot path like data.status`);
    } else {
      fields[key as keyof VposFieldMap] = path;
    }
  }

  const statusMap: Record<string, PaymentStatus> = {};
  for (const [providerStatus, ours] of Object.entries(
    parseJsonObject('VPOS_STATUS_MAP', parsed.VPOS_STATUS_MAP, problems),
  )) {
    if (isPaymentStatus(ours)) statusMap[providerStatus.toLowerCase()] = ours;
    else problems.push(`VPOS_STATUS_MAP.${providerStatus} must be one of our payment statuses`);
  }

  const crm = {} as CrmConfig;
  for (const section of sections) {
    const env = plainToInstance(section.schema, raw, { exposeDefaultValues: true });
    problems.push(...flatten(validateSync(env, { skipMissingProperties: false })));
    crm[section.key] = section.load(env, problems);
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

  const currencyExponents = Object.fromEntries(
    parsed.CURRENCY_EXPONENTS.split(',').map((pair) => {
      const [code, exp] = pair.split(':');
      return [code, Number(exp)];
    }),
  );

  return {
    role: parsed.APP_ROLE,
    mode: parsed.HUB_MODE,
    http: { port: parsed.PORT, publicBaseUrl: parsed.PUBLIC_BASE_URL.replace(/\/+$/, '') },
    database: { url: parsed.DATABASE_URL },
    redis: { url: parsed.REDIS_URL, prefix: parsed.QUEUE_PREFIX },
    adminToken: parsed.ADMIN_TOKEN,
    encryptionKey: Buffer.from(parsed.ENCRYPTION_KEY, 'base64'),
    logLevel: parsed.LOG_LEVEL,
    vpos: {
      apiBaseUrl: parsed.VPOS_API_BASE_URL.replace(/\/+$/, ''),
      apiToken: parsed.VPOS_API_TOKEN || undefined,
      statusPath: parsed.VPOS_STATUS_PATH,
      createPath: parsed.VPOS_CREATE_SESSION_PATH,
      paymentProvider: parsed.VPOS_PAYMENT_PROVIDER || undefined,
      returnUrl: parsed.VPOS_RETURN_URL || undefined,
      timeoutMs: parsed.VPOS_HTTP_TIMEOUT_MS,
      fields,
      statusMap,
      currencyExponents,
      webhook: {
        scheme,
        secrets,
        header: parsed.VPOS_SIGNATURE_HEADER,
        encoding: parsed.VPOS_SIGNATURE_ENCODING,
        toleranceSeconds: parsed.VPOS_WEBHOOK_TOLERANCE_SECONDS,
      },
    },
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
    },
    crm,
    connectors: {
      insecureHosts: (parsed.CONNECTOR_INSECURE_HOSTS ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    },
  };
}
