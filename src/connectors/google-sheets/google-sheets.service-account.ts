import { createSign } from 'node:crypto';
import { createHttpClient } from '../../common/http-client';
import { ExternalApiError, classifyHttpError } from '../../common/errors';
import { SHEETS_SCOPE } from './google-sheets.oauth';

export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

// Signed here: googleapis' JWT client cannot be pointed at another token URL, the hub's config can.
export async function serviceAccountToken(
  key: ServiceAccountKey,
  tokenUrl: string,
): Promise<{ accessToken: string; expiresAt: number }> {
  const now = Math.floor(Date.now() / 1000);
  const header = {
    alg: 'RS256',
    typ: 'JWT',
    ...(key.private_key_id ? { kid: key.private_key_id } : {}),
  };
  const claims = {
    iss: key.client_email,
    scope: SHEETS_SCOPE,
    aud: tokenUrl,
    iat: now,
    exp: now + 3600,
  };
  const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  let signature: string;
  try {
    signature = createSign('RSA-SHA256').update(unsigned).sign(key.private_key, 'base64url');
  } catch {
    throw new ExternalApiError(
      'google',
      'permanent',
      'BAD_KEY',
      'google: the private key cannot sign',
    );
  }
  const http = createHttpClient({ baseURL: tokenUrl, timeoutMs: 15000 });
  try {
    const res = await http.post<{ access_token?: string; expires_in?: number }>(
      '',
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: `${unsigned}.${signature}`,
      }).toString(),
      { headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    );
    if (!res.data.access_token) throw new Error('no access_token');
    return {
      accessToken: res.data.access_token,
      expiresAt: Date.now() + (res.data.expires_in ?? 3600) * 1000,
    };
  } catch (err) {
    throw classifyHttpError('google', err);
  }
}
