import {
  identifierProblem,
  parseVposWebhook,
  vposIdentifierProblem,
  VposWebhookClaim,
} from './vpos-event';
import type { VposFieldMap } from './vpos-fields';
import type { SignatureFailure } from './vpos-signature';

export const SIGNATURE_MESSAGES: Record<SignatureFailure, string> = {
  missing_signature: 'signature: missing webhook signature headers',
  malformed_signature: 'signature: malformed signature or timestamp header',
  stale_timestamp: 'webhook-timestamp: outside the accepted tolerance',
  bad_signature: 'signature: does not match any configured secret',
};

export function vposIntakeProblem(
  body: unknown,
  webhookId: string | undefined,
  fields: VposFieldMap,
): string | undefined {
  return identifierProblem('webhook-id', webhookId) ?? vposIdentifierProblem(body, fields);
}

export type VposIntake =
  { ok: true; claim: VposWebhookClaim; providerEventId: string } | { ok: false; message: string };

export function readVposIntake(
  body: unknown,
  webhookId: string | undefined,
  fields: VposFieldMap,
): VposIntake {
  const claim = parseVposWebhook(body, fields);
  const providerEventId = claim.eventId ?? webhookId;
  if (!providerEventId) {
    return {
      ok: false,
      message: `${fields.eventId}: the event id is required (or a webhook-id header)`,
    };
  }
  return { ok: true, claim, providerEventId };
}
