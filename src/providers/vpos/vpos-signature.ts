import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VposConfig } from './vpos.config';

export type WebhookSignatureConfig = VposConfig['webhook'];
export type SignatureFailure =
  'missing_signature' | 'malformed_signature' | 'stale_timestamp' | 'bad_signature';
export type SignatureResult =
  | { ok: true; webhookId?: string; timestamp?: number }
  | { ok: false; reason: SignatureFailure; webhookId?: string };

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function hmac(key: Buffer, ...parts: Buffer[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Constant-time for equal lengths; a length difference says nothing about the secret. */
function safeEqual(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function decode(value: string, encoding: 'hex' | 'base64'): Buffer | undefined {
  const re = encoding === 'hex' ? /^[0-9a-fA-F]+$/ : /^[A-Za-z0-9+/]+={0,2}$/;
  return re.test(value) ? Buffer.from(value, encoding) : undefined;
}

/** Standard Webhooks: HMAC-SHA256 over `{id}.{timestamp}.{body}`, `v1,<base64>` entries. */
function verifyStandard(
  cfg: WebhookSignatureConfig,
  headers: Headers,
  body: Buffer,
  nowSeconds: number,
): SignatureResult {
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sig = header(headers, 'webhook-signature');
  if (!id || !ts || !sig) return { ok: false, reason: 'missing_signature', webhookId: id };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'malformed_signature', webhookId: id };
  const timestamp = Number(ts);
  if (Math.abs(nowSeconds - timestamp) > cfg.toleranceSeconds) {
    return { ok: false, reason: 'stale_timestamp', webhookId: id };
  }
  const given = sig
    .split(' ')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => decode(entry.slice(3), 'base64'))
    .filter((b): b is Buffer => b !== undefined);
  if (given.length === 0) return { ok: false, reason: 'malformed_signature', webhookId: id };
  const prefix = Buffer.from(`${id}.${ts}.`, 'utf8');
  // Check every secret against every entry so timing does not reveal which one matched.
  let ok = false;
  for (const secret of cfg.secrets) {
    const expected = hmac(secret, prefix, body);
    for (const candidate of given) ok = safeEqual(expected, candidate) || ok;
  }
  return ok
    ? { ok: true, webhookId: id, timestamp }
    : { ok: false, reason: 'bad_signature', webhookId: id };
}

/** Plain HMAC-SHA256 of the raw body in a configured header (optionally `sha256=` prefixed). */
function verifyPlain(cfg: WebhookSignatureConfig, headers: Headers, body: Buffer): SignatureResult {
  const raw = header(headers, cfg.header);
  if (!raw) return { ok: false, reason: 'missing_signature' };
  const given = decode(raw.trim().replace(/^sha256=/i, ''), cfg.encoding);
  if (!given) return { ok: false, reason: 'malformed_signature' };
  let ok = false;
  for (const secret of cfg.secrets) ok = safeEqual(hmac(secret, body), given) || ok;
  return ok ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

export function verifyWebhookSignature(
  cfg: WebhookSignatureConfig,
  headers: Headers,
  body: Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureResult {
  return cfg.scheme === 'standard-webhooks'
    ? verifyStandard(cfg, headers, body, nowSeconds)
    : verifyPlain(cfg, headers, body);
}
