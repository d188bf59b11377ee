/**
 * CLI entry of the Bitrix24 emulator. Environment:
 *   BITRIX24_EMULATOR_PORT (4030), BITRIX24_EMULATOR_PUBLIC_URL (its own URL),
 *   BITRIX24_EMULATOR_CLIENT_ID (local.emulator.000001), BITRIX24_EMULATOR_CLIENT_SECRET
 *   (emulator-secret), BITRIX24_EMULATOR_REDIRECT_URI (http://127.0.0.1:3000/oauth/bitrix24/callback),
 *   BITRIX24_EMULATOR_SCOPE (crm,user), BITRIX24_EMULATOR_AUTO_APPROVE (false),
 *   BITRIX24_EMULATOR_PORTALS (default; comma-separated names, the first served at the root),
 *   BITRIX24_EMULATOR_MEMBER_ID (the first portal's member_id; random by default),
 *   BITRIX24_EMULATOR_WEBHOOK_CODE (a fixed incoming-webhook code for user 1 on every portal),
 *   BITRIX24_EMULATOR_USER_FIELDS (comma-separated UF names of type string, e.g. PAYMENT_ID),
 *   BITRIX24_EMULATOR_BUCKET_CAPACITY (50), BITRIX24_EMULATOR_BUCKET_DRAIN (2 per second),
 *   BITRIX24_EMULATOR_ACCESS_TTL (3600 s), BITRIX24_EMULATOR_REFRESH_TTL (15552000 s).
 */
import { env, runEmulator } from '../common/cli';
import { startBitrix24Emulator } from './bitrix24-emulator';
import type { PortalOptions } from './portal-types';

function number(name: string): number | undefined {
  const value = env(name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name} must be a number >= 0`);
  return parsed;
}

function list(name: string): string[] {
  return (env(name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

async function main() {
  const webhookCode = env('BITRIX24_EMULATOR_WEBHOOK_CODE');
  const userFields = list('BITRIX24_EMULATOR_USER_FIELDS').map((fieldName) => ({ fieldName }));
  const names = list('BITRIX24_EMULATOR_PORTALS');
  const memberId = env('BITRIX24_EMULATOR_MEMBER_ID');
  const portals: PortalOptions[] = (names.length > 0 ? names : ['default']).map((name, i) => ({
    name,
    ...(i === 0 && memberId !== undefined ? { memberId } : {}),
    userFields,
    webhooks: webhookCode === undefined ? [] : [{ userId: 1, code: webhookCode }],
  }));
  const emulator = await startBitrix24Emulator({
    port: number('BITRIX24_EMULATOR_PORT') ?? 4030,
    publicUrl: env('BITRIX24_EMULATOR_PUBLIC_URL'),
    clientId: env('BITRIX24_EMULATOR_CLIENT_ID'),
    clientSecret: env('BITRIX24_EMULATOR_CLIENT_SECRET'),
    redirectUri:
      env('BITRIX24_EMULATOR_REDIRECT_URI') ?? 'http://127.0.0.1:3000/oauth/bitrix24/callback',
    scope: env('BITRIX24_EMULATOR_SCOPE'),
    autoApprove: env('BITRIX24_EMULATOR_AUTO_APPROVE') === 'true',
    bucketCapacity: number('BITRIX24_EMULATOR_BUCKET_CAPACITY'),
    bucketDrainPerSecond: number('BITRIX24_EMULATOR_BUCKET_DRAIN'),
    accessTokenTtlSeconds: number('BITRIX24_EMULATOR_ACCESS_TTL'),
    refreshTokenTtlSeconds: number('BITRIX24_EMULATOR_REFRESH_TTL'),
    portals,
  });
  const lines = [`Bitrix24 emulator listening on ${emulator.url}`];
  lines.push(`  BITRIX24_OAUTH_SERVER=${emulator.oauthServerUrl} (token endpoint /oauth/token/)`);
  for (const portal of emulator.listPortals()) {
    lines.push(`  portal ${portal.name}: domain ${portal.domain}, member_id ${portal.memberId}`);
    lines.push(`    authorize: ${portal.authorizeUrl}   REST: ${portal.clientEndpoint}`);
    for (const hook of portal.webhooks) lines.push(`    webhook:   ${hook.url}`);
  }
  lines.push(`  pages:    ${emulator.url}/_emulator/ui (deals and timeline comments, for people)`);
  lines.push(`  controls: ${emulator.url}/_emulator/state`);
  return { emulator, banner: lines };
}

runEmulator('Bitrix24', main);
