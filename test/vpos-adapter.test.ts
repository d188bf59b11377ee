import request from 'supertest';
import { startVposEmulator, VposEmulator } from '../sandbox/vpos/vpos-emulator';
import { sessionBody } from './factories/sessions';
import { journal } from './support/journal-queries';
import {
  adminHeaders,
  createTestDatabase,
  startTestHub,
  TEST_VPOS_TOKEN,
  TestDatabase,
  TestHub,
  waitFor,
} from './support/test-hub';

/** The VPOS adapter is configuration-driven: scheme, header, encoding, field paths. */
describe('VPOS adapter settings: plain HMAC scheme, field map, lookup faults', () => {
  const secret = 'plain-hmac-secret-for-tests';
  let db: TestDatabase;
  let hub: TestHub;
  let vpos: VposEmulator;

  beforeAll(async () => {
    db = await createTestDatabase();
    vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: secret,
      signatureScheme: 'hmac-sha256',
      hmacHeader: 'x-signature',
      hmacEncoding: 'base64',
      webhookRetryDelaysMs: [],
    });
    hub = await startTestHub(db, {
      VPOS_API_BASE_URL: vpos.url,
      VPOS_SIGNATURE_SCHEME: 'hmac-sha256',
      VPOS_SIGNATURE_HEADER: 'X-Signature',
      VPOS_SIGNATURE_ENCODING: 'base64',
      VPOS_WEBHOOK_SECRETS: `old-rotated-secret,${secret}`,
    });
    vpos.setWebhookUrl(`${hub.url}/webhooks/vpos`);
  });
  afterAll(async () => {
    await hub?.close();
    await vpos?.close();
    await db?.drop();
  });

  const statusOf = async (orderId: string) =>
    (await request(hub.url).get(`/api/payments/${orderId}`).set(adminHeaders)).body
      .status as string;

  it('accepts plain HMAC-SHA256 signatures (second secret of a rotation) and verifies', async () => {
    const s = vpos.createSession(sessionBody());
    vpos.setStatus(s.id, 'paid');
    await waitFor(async () => (await statusOf(s.merchantOrderId)) === 'paid');
  });

  it('refuses a plain HMAC signed with another secret', async () => {
    const res = await vpos.sendRaw({ id: 'evt_x', data: {} }, { secret: 'not-the-secret' });
    expect(res.status).toBe(401);
  });

  it('retries while the status lookup fails, then verifies', async () => {
    const s = vpos.createSession(sessionBody());
    vpos.failLookups(2, 503);
    vpos.setStatus(s.id, 'paid');
    await waitFor(async () => (await statusOf(s.merchantOrderId)) === 'paid', 20000);
    const [raw] = await db.ds.query<{ verify_attempts: number }[]>(
      `SELECT verify_attempts FROM webhook_events WHERE claimed_order_id = $1`,
      [s.merchantOrderId],
    );
    expect(raw.verify_attempts).toBe(3);
  });

  it('a webhook ahead of the lookup is retried, then goes to manual_review (never paid)', async () => {
    const s = vpos.createSession(sessionBody());
    vpos.setStatus(s.id, 'pending', { webhook: { suppress: true } });
    const res = await vpos.sendRaw({
      id: `evt_ahead_${s.id}`,
      type: 'payment.paid',
      createdAt: new Date().toISOString(),
      data: {
        id: s.id,
        merchantOrderId: s.merchantOrderId,
        amountMinor: s.amountMinor,
        currency: 'AMD',
        status: 'paid',
      },
    });
    expect(res.status).toBe(200);
    await waitFor(async () => (await statusOf(s.merchantOrderId)) === 'manual_review', 45000);
    const [event] = await journal(db.ds).events(s.merchantOrderId);
    expect(event.payload.mismatches).toEqual([
      { field: 'status', source: 'webhook', expected: 'pending', actual: 'paid' },
    ]);
  }, 60000);
});

describe('VPOS adapter settings: unknown provider status', () => {
  let db: TestDatabase;
  let hub: TestHub;
  let vpos: VposEmulator;
  const secret = `whsec_${Buffer.from('another-32-byte-secret-for-tests').toString('base64')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    vpos = await startVposEmulator({
      apiToken: TEST_VPOS_TOKEN,
      webhookSecret: secret,
      webhookRetryDelaysMs: [],
    });
    // The lookup's status is read from a field that holds something we do not recognise.
    hub = await startTestHub(db, {
      VPOS_API_BASE_URL: vpos.url,
      VPOS_WEBHOOK_SECRETS: secret,
      VPOS_FIELD_MAP: JSON.stringify({ lookupStatus: 'provider', status: 'data.nothing' }),
    });
    vpos.setWebhookUrl(`${hub.url}/webhooks/vpos`);
  });
  afterAll(async () => {
    await hub?.close();
    await vpos?.close();
    await db?.drop();
  });

  it('becomes manual_review, never paid', async () => {
    const s = vpos.createSession(sessionBody({ provider: 'authorized' }));
    vpos.setStatus(s.id, 'paid');
    await waitFor(async () => {
      const res = await request(hub.url)
        .get(`/api/payments/${s.merchantOrderId}`)
        .set(adminHeaders);
      return res.body.status === 'manual_review' ? res : undefined;
    });
    const [event] = await journal(db.ds).events(s.merchantOrderId);
    expect(event.payload).toMatchObject({
      type: 'manual_review',
      flags: ['unknown_provider_status'],
    });
  });
});
