import { createHmac } from 'node:crypto';
import { verifyWebhookSignature, WebhookSignatureConfig } from './vpos-signature';

// Test vector from the Standard Webhooks specification's reference libraries.
const SPEC_SECRET = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
const SPEC_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SPEC_TS = '1614265330';
const SPEC_BODY = Buffer.from('{"test": 2432232314}');
const SPEC_SIG = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const base: WebhookSignatureConfig = {
  scheme: 'standard-webhooks',
  secrets: [SPEC_SECRET],
  header: 'x-vpos-signature',
  encoding: 'hex',
  toleranceSeconds: 300,
};

const specHeaders = (sig = SPEC_SIG, ts = SPEC_TS) => ({
  'webhook-id': SPEC_ID,
  'webhook-timestamp': ts,
  'webhook-signature': sig,
});

describe('Standard Webhooks signature', () => {
  const now = Number(SPEC_TS) + 10;

  it('accepts the specification test vector', () => {
    expect(verifyWebhookSignature(base, specHeaders(), SPEC_BODY, now)).toMatchObject({ ok: true });
  });

  it('accepts when any of several space-separated signatures matches', () => {
    const sig = `v1,AAAA v2,whatever ${SPEC_SIG}`;
    expect(verifyWebhookSignature(base, specHeaders(sig), SPEC_BODY, now).ok).toBe(true);
  });

  it('accepts any of several secrets (rotation)', () => {
    const cfg = { ...base, secrets: [Buffer.from('old-secret-old-secret'), SPEC_SECRET] };
    expect(verifyWebhookSignature(cfg, specHeaders(), SPEC_BODY, now).ok).toBe(true);
  });

  it('refuses a changed body', () => {
    const r = verifyWebhookSignature(base, specHeaders(), Buffer.from('{"test": 2432232315}'), now);
    expect(r).toEqual({ ok: false, reason: 'bad_signature', webhookId: SPEC_ID });
  });

  it('refuses a wrong secret', () => {
    const cfg = { ...base, secrets: [Buffer.from('another-secret-entirely')] };
    expect(verifyWebhookSignature(cfg, specHeaders(), SPEC_BODY, now)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses stale and future timestamps beyond the tolerance', () => {
    expect(
      verifyWebhookSignature(base, specHeaders(), SPEC_BODY, Number(SPEC_TS) + 301),
    ).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect(
      verifyWebhookSignature(base, specHeaders(), SPEC_BODY, Number(SPEC_TS) - 301),
    ).toMatchObject({
      reason: 'stale_timestamp',
    });
  });

  it('refuses missing headers and malformed values', () => {
    expect(verifyWebhookSignature(base, {}, SPEC_BODY, now)).toMatchObject({
      reason: 'missing_signature',
    });
    expect(verifyWebhookSignature(base, specHeaders('v1,@@@'), SPEC_BODY, now)).toMatchObject({
      reason: 'malformed_signature',
    });
    expect(
      verifyWebhookSignature(base, specHeaders(SPEC_SIG, 'soon'), SPEC_BODY, now),
    ).toMatchObject({
      reason: 'malformed_signature',
    });
    expect(
      verifyWebhookSignature(base, specHeaders(SPEC_SIG.replace('v1,', 'v2,')), SPEC_BODY, now),
    ).toMatchObject({ reason: 'malformed_signature' });
  });
});

describe('plain HMAC-SHA256 signature', () => {
  const secret = Buffer.from('plain-secret-value');
  const body = Buffer.from('{"id":"evt_1"}');
  const mac = createHmac('sha256', secret).update(body).digest();

  it.each(['hex', 'base64'] as const)('accepts %s in the configured header', (encoding) => {
    const cfg: WebhookSignatureConfig = {
      ...base,
      scheme: 'hmac-sha256',
      secrets: [secret],
      encoding,
    };
    const headers = { 'x-vpos-signature': mac.toString(encoding) };
    expect(verifyWebhookSignature(cfg, headers, body).ok).toBe(true);
  });

  it('accepts a sha256= prefix', () => {
    const cfg: WebhookSignatureConfig = { ...base, scheme: 'hmac-sha256', secrets: [secret] };
    const headers = { 'x-vpos-signature': `sha256=${mac.toString('hex')}` };
    expect(verifyWebhookSignature(cfg, headers, body).ok).toBe(true);
  });

  it('refuses a wrong or missing signature', () => {
    const cfg: WebhookSignatureConfig = { ...base, scheme: 'hmac-sha256', secrets: [secret] };
    expect(verifyWebhookSignature(cfg, {}, body)).toEqual({
      ok: false,
      reason: 'missing_signature',
    });
    const other = createHmac('sha256', 'x').update(body).digest('hex');
    expect(verifyWebhookSignature(cfg, { 'x-vpos-signature': other }, body)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });
});
