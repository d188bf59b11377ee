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
} from 'class-validator';
import { ConfigSection, parseJsonObjectVar, trim, URL_OPTS } from '../../config/config-section';
import type { PaymentStatus } from '../../domain/payment-status';
import { parseVposFieldMap, VposFieldMap } from './vpos-fields';
import { parseVposStatusMap } from './vpos-status';

export type SignatureScheme = 'standard-webhooks' | 'hmac-sha256';

export class VposEnv {
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

  @IsOptional()
  @Transform(trim)
  @IsString()
  VPOS_FIELD_MAP?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  VPOS_STATUS_MAP?: string;

  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(100)
  @Max(120000)
  VPOS_HTTP_TIMEOUT_MS = 10000;
}

export interface VposConfig {
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
}

declare module '../../config/app-config' {
  interface AppConfig {
    vpos: VposConfig;
  }
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

function webhookSecrets(env: VposEnv, problems: string[]): Buffer[] {
  const scheme = env.VPOS_SIGNATURE_SCHEME;
  const secrets: Buffer[] = [];
  (env.VPOS_WEBHOOK_SECRETS ?? '')
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
  if (env.VPOS_WEBHOOK_SECRETS && secrets.length === 0 && problems.length === 0) {
    problems.push('VPOS_WEBHOOK_SECRETS must hold at least one secret');
  }
  return secrets;
}

export const VPOS_CONFIG: ConfigSection<VposEnv, VposConfig> = {
  key: 'vpos',
  root: true,
  schema: VposEnv,
  load: (env, problems, hub) => {
    const secrets = webhookSecrets(env, problems);
    const fields = parseVposFieldMap(
      parseJsonObjectVar('VPOS_FIELD_MAP', env.VPOS_FIELD_MAP, problems),
      problems,
    );
    const statusMap = parseVposStatusMap(
      parseJsonObjectVar('VPOS_STATUS_MAP', env.VPOS_STATUS_MAP, problems),
      problems,
    );
    if (hub.HUB_MODE === 'live' && !env.VPOS_API_TOKEN) {
      problems.push(
        'VPOS_API_TOKEN is required when HUB_MODE=live (the merchant API token from VPOS)',
      );
    }
    // VPOS amounts are minor units; the exponents are validated with the link currencies.
    const currencyExponents = Object.fromEntries(
      (hub.CURRENCY_EXPONENTS ?? '').split(',').map((pair) => {
        const [code, exp] = pair.split(':');
        return [code, Number(exp)];
      }),
    );
    return {
      apiBaseUrl: (env.VPOS_API_BASE_URL ?? '').replace(/\/+$/, ''),
      apiToken: env.VPOS_API_TOKEN || undefined,
      statusPath: env.VPOS_STATUS_PATH,
      createPath: env.VPOS_CREATE_SESSION_PATH,
      paymentProvider: env.VPOS_PAYMENT_PROVIDER || undefined,
      returnUrl: env.VPOS_RETURN_URL || undefined,
      timeoutMs: env.VPOS_HTTP_TIMEOUT_MS,
      fields,
      statusMap,
      currencyExponents,
      webhook: {
        scheme: env.VPOS_SIGNATURE_SCHEME,
        secrets,
        header: env.VPOS_SIGNATURE_HEADER,
        encoding: env.VPOS_SIGNATURE_ENCODING,
        toleranceSeconds: env.VPOS_WEBHOOK_TOLERANCE_SECONDS,
      },
    };
  },
};
