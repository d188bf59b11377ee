/** Service accounts: public keys registered by tests, and the RS256 JWT bearer grant (docs C4). */
import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { isObject, oauthError } from './http-io';
import { GOOGLE_TOKEN_AUDIENCES, KNOWN_SCOPES, normalizeScopes } from './identity';
import type { ServiceAccountInput } from './google-types';

interface ServiceAccount {
  clientEmail: string;
  publicKey: KeyObject;
  privateKeyId?: string;
  domainWideDelegation: boolean;
}

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (!segment) return undefined;
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export class ServiceAccounts {
  private readonly accounts = new Map<string, ServiceAccount>();

  register(input: ServiceAccountInput): void {
    const publicKey =
      typeof input.publicKey === 'string' ? createPublicKey(input.publicKey) : input.publicKey;
    if (publicKey.type !== 'public') throw new Error('publicKey must be a public key');
    this.accounts.set(input.clientEmail, {
      clientEmail: input.clientEmail,
      publicKey,
      privateKeyId: input.privateKeyId,
      domainWideDelegation: input.domainWideDelegation ?? false,
    });
  }

  clear(): void {
    this.accounts.clear();
  }

  /** Checks a jwt-bearer assertion; returns who the token is for and its scopes. */
  verify(assertion: unknown, tokenUrl: string, nowMs: number): { email: string; scopes: string[] } {
    if (typeof assertion !== 'string')
      throw oauthError(400, 'invalid_request', 'Missing required parameter: assertion');
    const [h, p, s] = assertion.split('.');
    const header = decodeSegment(h);
    const claims = decodeSegment(p);
    if (!header || !claims || s === undefined)
      throw oauthError(400, 'invalid_grant', 'Invalid JWT: malformed.');
    const account = typeof claims.iss === 'string' ? this.accounts.get(claims.iss) : undefined;
    if (!account) throw oauthError(400, 'invalid_grant', 'Invalid grant: account not found');
    const kidMismatch =
      account.privateKeyId !== undefined &&
      header.kid !== undefined &&
      header.kid !== account.privateKeyId;
    const valid =
      header.alg === 'RS256' &&
      !kidMismatch &&
      createVerify('RSA-SHA256')
        .update(`${h}.${p}`)
        .verify(account.publicKey, Buffer.from(s, 'base64url'));
    if (!valid) throw oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
    if (
      typeof claims.aud !== 'string' ||
      ![tokenUrl, ...GOOGLE_TOKEN_AUDIENCES].includes(claims.aud)
    ) {
      throw oauthError(
        400,
        'invalid_grant',
        `Invalid JWT: Failed audience check. The expected audience is ${GOOGLE_TOKEN_AUDIENCES[0]}.`,
      );
    }
    const nowSec = nowMs / 1000;
    const { iat, exp } = claims;
    if (
      typeof iat !== 'number' ||
      typeof exp !== 'number' ||
      exp - iat > 3600 ||
      exp <= nowSec ||
      iat > nowSec + 300
    ) {
      throw oauthError(
        400,
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      );
    }
    const scopes = typeof claims.scope === 'string' ? normalizeScopes(claims.scope) : [];
    if (scopes.length === 0 || scopes.some((sc) => !KNOWN_SCOPES.has(sc))) {
      throw oauthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    }
    let email = account.clientEmail;
    if (typeof claims.sub === 'string' && claims.sub !== account.clientEmail) {
      if (!account.domainWideDelegation) {
        throw oauthError(
          401,
          'unauthorized_client',
          'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
        );
      }
      email = claims.sub;
    }
    return { email, scopes };
  }
}
