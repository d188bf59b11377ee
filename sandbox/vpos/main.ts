/**
 * CLI entry of the VPOS emulator. Environment:
 *   VPOS_EMULATOR_PORT (4010), VPOS_EMULATOR_TOKEN (test-token),
 *   VPOS_EMULATOR_WEBHOOK_URL (http://127.0.0.1:3000/webhooks/vpos),
 *   VPOS_EMULATOR_WEBHOOK_SECRET (a fixed whsec_ dev secret),
 *   VPOS_EMULATOR_SIGNATURE_SCHEME (standard-webhooks | hmac-sha256),
 *   VPOS_EMULATOR_HMAC_HEADER (x-vpos-signature), VPOS_EMULATOR_HMAC_ENCODING (hex | base64),
 *   VPOS_EMULATOR_PUBLIC_URL (its own URL), VPOS_EMULATOR_RETRY_DELAYS_MS (1000,5000,30000),
 *   VPOS_EMULATOR_RATE_LIMIT (requests per second, off by default).
 */
import { env, integer, runEmulator } from '../common/cli';
import { startVposEmulator, type HmacEncoding, type SignatureScheme } from './vpos-emulator';

/** Dev-only secret: base64 of "vpos-emulator-local-dev-secret!!". Never use it anywhere real. */
const DEFAULT_WEBHOOK_SECRET = 'whsec_dnBvcy1lbXVsYXRvci1sb2NhbC1kZXYtc2VjcmV0ISE=';

function oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
  const value = env(name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`${name} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function delays(name: string): number[] | undefined {
  const value = env(name);
  if (value === undefined) return undefined;
  const parsed = value.split(',').map((part) => Number(part.trim()));
  if (parsed.some((n) => !Number.isFinite(n) || n < 0)) {
    throw new Error(`${name} must be comma-separated milliseconds`);
  }
  return parsed;
}

async function main() {
  const scheme = oneOf<SignatureScheme>('VPOS_EMULATOR_SIGNATURE_SCHEME', [
    'standard-webhooks',
    'hmac-sha256',
  ]);
  const emulator = await startVposEmulator({
    port: integer('VPOS_EMULATOR_PORT', 4010),
    apiToken: env('VPOS_EMULATOR_TOKEN') ?? 'test-token',
    webhookUrl: env('VPOS_EMULATOR_WEBHOOK_URL') ?? 'http://127.0.0.1:3000/webhooks/vpos',
    webhookSecret: env('VPOS_EMULATOR_WEBHOOK_SECRET') ?? DEFAULT_WEBHOOK_SECRET,
    signatureScheme: scheme,
    hmacHeader: env('VPOS_EMULATOR_HMAC_HEADER'),
    hmacEncoding: oneOf<HmacEncoding>('VPOS_EMULATOR_HMAC_ENCODING', ['hex', 'base64']),
    publicUrl: env('VPOS_EMULATOR_PUBLIC_URL'),
    webhookRetryDelaysMs: delays('VPOS_EMULATOR_RETRY_DELAYS_MS'),
    rateLimitPerSecond: integer('VPOS_EMULATOR_RATE_LIMIT', undefined),
  });
  const webhookUrl = env('VPOS_EMULATOR_WEBHOOK_URL') ?? 'http://127.0.0.1:3000/webhooks/vpos';
  return {
    emulator,
    banner: [
      `VPOS emulator listening on ${emulator.url}`,
      `  merchant API: ${emulator.url}/v1 (Authorization: Bearer <VPOS_EMULATOR_TOKEN>)`,
      `  webhooks:     POST ${webhookUrl} (${scheme ?? 'standard-webhooks'})`,
      `  pages:        ${emulator.url}/_emulator/ui (payment sessions, for people)`,
      `  controls:     ${emulator.url}/_emulator/sessions, /events, /deliveries`,
    ],
  };
}

runEmulator('VPOS', main);
