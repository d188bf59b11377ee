/**
 * Webhook signing for the emulator: Standard Webhooks (https://www.standardwebhooks.com) by default,
 * or a plain HMAC-SHA256 of the raw body in one header.
 */
import { createHmac } from 'node:crypto';

export type SignatureScheme = 'standard-webhooks' | 'hmac-sha256';
export type HmacEncoding = 'hex' | 'base64';

export interface SigningConfig {
  scheme: SignatureScheme;
  secret: string;
  hmacHeader: string;
  hmacEncoding: HmacEncoding;
}

export interface SignedMessage {
  webhookId: string;
  /** Unix seconds. */
  timestamp: number;
  body: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function stripPrefix(secret: string): string {
  return secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
}

/** Key bytes of a Standard Webhooks secret: base64 after an optional `whsec_` prefix. */
export function decodeStandardSecret(secret: string): Buffer {
  return Buffer.from(stripPrefix(secret), 'base64');
}

/** `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`. */
export function standardWebhookSignature(secret: string, message: SignedMessage): string {
  const mac = createHmac('sha256', decodeStandardSecret(secret))
    .update(`${message.webhookId}.${message.timestamp}.${message.body}`)
    .digest('base64');
  return `v1,${mac}`;
}

/** HMAC-SHA256 of the raw body, keyed with the secret's UTF-8 bytes. */
export function hmacSha256Signature(secret: string, body: string, encoding: HmacEncoding): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest(encoding);
}

/** Throws when the secret cannot be used with the scheme. */
export function assertUsableSecret(scheme: SignatureScheme, secret: string): void {
  if (secret === '') throw new Error('webhook secret must not be empty');
  if (scheme === 'standard-webhooks' && !BASE64.test(stripPrefix(secret))) {
    throw new Error('standard-webhooks secret must be "whsec_" followed by base64');
  }
}

/**
 * Headers of one webhook request. Standard Webhooks always carries `webhook-id` and
 * `webhook-timestamp`; `sign: false` only leaves the signature header out.
 */
export function webhookHeaders(
  config: SigningConfig,
  message: SignedMessage,
  sign = true,
): Record<string, string> {
  switch (config.scheme) {
    case 'standard-webhooks': {
      const headers: Record<string, string> = {
        'webhook-id': message.webhookId,
        'webhook-timestamp': String(message.timestamp),
      };
      if (sign) headers['webhook-signature'] = standardWebhookSignature(config.secret, message);
      return headers;
    }
    case 'hmac-sha256':
      return sign
        ? {
            [config.hmacHeader.toLowerCase()]: hmacSha256Signature(
              config.secret,
              message.body,
              config.hmacEncoding,
            ),
          }
        : {};
  }
}
