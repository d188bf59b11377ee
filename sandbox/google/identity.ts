/** Scopes as Google names them, and stable account ids. */
import { createHash } from 'node:crypto';

const AUTH = 'https://www.googleapis.com/auth/';
export const SHEETS_SCOPE = `${AUTH}spreadsheets`;
export const EMAIL_SCOPE = `${AUTH}userinfo.email`;
export const PROFILE_SCOPE = `${AUTH}userinfo.profile`;
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const GOOGLE_TOKEN_AUDIENCES = [
  'https://oauth2.googleapis.com/token',
  'https://accounts.google.com/o/oauth2/token',
  'https://www.googleapis.com/oauth2/v4/token',
];

export const KNOWN_SCOPES = new Set([
  'openid',
  EMAIL_SCOPE,
  PROFILE_SCOPE,
  SHEETS_SCOPE,
  `${SHEETS_SCOPE}.readonly`,
  `${AUTH}drive`,
  `${AUTH}drive.file`,
  `${AUTH}drive.readonly`,
  `${AUTH}cloud-platform`,
]);

/** Short names as Google expands them: `email`, `profile`, `spreadsheets` → full URLs. */
export function normalizeScopes(input: string | string[]): string[] {
  const list = (Array.isArray(input) ? input : input.split(/[\s,]+/)).filter((s) => s !== '');
  const full = list.map((s) =>
    s === 'email'
      ? EMAIL_SCOPE
      : s === 'profile'
        ? PROFILE_SCOPE
        : s.includes(':') || s === 'openid'
          ? s
          : `${AUTH}${s}`,
  );
  return [...new Set(full)];
}

/** A stable 21-digit Google account id for an e-mail. */
export function subjectOf(email: string): string {
  const hex = createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 24);
  return `1${(BigInt(`0x${hex}`) % 10n ** 20n).toString().padStart(20, '0')}`;
}
