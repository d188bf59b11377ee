import { randomBytes } from 'node:crypto';
import { OutboxRelay } from '../src/queue/outbox.relay';
import { REJECTION_INTERVAL_MS, WebhookRejections } from '../src/webhooks/webhook-rejections';
import { sessionBody } from './factories/sessions';
import { Stack, startStack } from './support/stack';
import { waitFor } from './support/test-hub';
import { inParallel, webhookSender } from './support/webhook-sender';

describe('webhook intake: rejection accounting, identifier validation, recorded failures', () => {
  let stack: Stack;
  let sender: ReturnType<typeof webhookSender>;

  beforeAll(async () => {
    stack = await startStack();
    sender = webhookSender(stack.hub.url);
  });
  afterAll(async () => {
    sender?.close();
    await stack?.close();
  });

  const auditSize = async () => {
    const [row] = await stack.db.ds.query<Array<{ n: number; bytes: number }>>(
      `SELECT count(*)::int AS n, coalesce(sum(pg_column_size(a.*)), 0)::int AS bytes
       FROM audit_log a`,
    );
    return row;
  };
  const storedEvents = async () =>
    Number((await stack.db.ds.query(`SELECT count(*)::int AS n FROM webhook_events`))[0].n);

  it('1,000 rejected webhooks (some with 8 KB headers) add a few bounded audit rows, each a 401', async () => {
    const before = await auditSize();
    const eventsBefore = await storedEvents();
    const now = Math.floor(Date.now() / 1000);
    const statuses: number[] = [];
    await inParallel(
      Array.from({ length: 1000 }, (_, i) => i),
      16,
      async (i) => {
        const body = Buffer.from(JSON.stringify({ id: `evt_spam_${i}`, type: 'payment.paid' }));
        const huge = i % 3 === 0 ? randomBytes(4096).toString('hex') : `msg_spam_${i}`;
        const signed = sender.sign(body, huge, i % 4 === 2 ? now - 3600 : now);
        const variants = [
          { 'webhook-id': huge },
          { ...signed, 'webhook-signature': `v1,${randomBytes(32).toString('base64')}` },
          signed,
          { ...signed, 'webhook-signature': 'garbage' },
        ];
        const headers = variants[i % 4];
        const res = await sender.send(body, headers);
        statuses.push(res.status);
      },
    );
    expect(statuses.filter((s) => s !== 401)).toEqual([]);
    expect(await storedEvents()).toBe(eventsBefore);

    const during = await auditSize();
    expect(during.n - before.n).toBeLessThanOrEqual(2);

    // The window closes: one more row per source carries the count folded in since.
    await stack.hub.app.get(WebhookRejections).flush(Date.now() + REJECTION_INTERVAL_MS);
    const after = await auditSize();
    expect(after.n - before.n).toBeLessThanOrEqual(4);
    expect(after.bytes - before.bytes).toBeLessThan(4096);

    const rows = await stack.db.ds.query<Array<{ data: { count: number; source: string } }>>(
      `SELECT data FROM audit_log WHERE kind = 'webhook.rejected' ORDER BY id`,
    );
    expect(rows.reduce((sum, r) => sum + r.data.count, 0)).toBe(1000);
    expect(new Set(rows.map((r) => r.data.source))).toEqual(new Set(['127.0.0.1']));
    for (const r of rows) expect(JSON.stringify(r.data).length).toBeLessThan(600);

    const metrics = await fetch(`${stack.hub.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /vposhub_webhooks_received_total\{result="rejected_bad_signature"\} \d+/,
    );
  });

  describe('signed webhooks with unusable values → 400 naming the field, nothing stored', () => {
    const good = () => ({
      id: `evt_bad_${randomBytes(4).toString('hex')}`,
      type: 'payment.paid',
      createdAt: new Date().toISOString(),
      data: {
        id: `ps_${randomBytes(4).toString('hex')}`,
        merchantOrderId: `ord-${randomBytes(4).toString('hex')}`,
        amountMinor: 100,
        currency: 'AMD',
        status: 'paid',
      },
    });
    type Body = ReturnType<typeof good> & Record<string, unknown>;
    const incompressible = randomBytes(3000).toString('base64');
    const cases: Array<[string, (b: Body) => void, string]> = [];
    for (const [field, set] of [
      ['id', (b: Body, v: string) => (b.id = v)],
      ['type', (b: Body, v: string) => (b.type = v)],
      ['data.id', (b: Body, v: string) => (b.data.id = v)],
      ['data.merchantOrderId', (b: Body, v: string) => (b.data.merchantOrderId = v)],
      ['data.status', (b: Body, v: string) => (b.data.status = v)],
    ] as const) {
      cases.push([`NUL in ${field}`, (b) => set(b, 'a\u0000b'), field]);
      cases.push([`lone surrogate in ${field}`, (b) => set(b, 'x\ud800'), field]);
      cases.push([`3 KB ${field}`, (b) => set(b, incompressible), field]);
    }
    cases.push([
      '\\u0000 in another field',
      (b) => Object.assign(b.data, { metadata: { note: 'hi\u0000' } }),
      'data.metadata.note',
    ]);
    cases.push([
      'lone surrogate in a key',
      (b) => Object.assign(b, { extra: [{ ['k\udc00']: 1 }] }),
      'extra[0].k\\udc00',
    ]);
    cases.push([
      'an object as the order id',
      (b) => Object.assign(b.data, { merchantOrderId: {} }),
      'data.merchantOrderId',
    ]);

    it.each(cases)('%s', async (_name, mutate, field) => {
      const body = good() as Body;
      mutate(body);
      const bytes = Buffer.from(JSON.stringify(body));
      const before = await storedEvents();
      const res = await sender.send(
        bytes,
        sender.sign(bytes, `msg_${randomBytes(4).toString('hex')}`),
      );
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body!)).toMatchObject({
        statusCode: 400,
        message: expect.stringMatching(new RegExp(`^${field.replace(/[.[\]\\]/g, '\\$&')}: `)),
      });
      expect(await storedEvents()).toBe(before);
    });

    it('a 3 KB webhook-id header (used as the event id when the body has none) → 400', async () => {
      const body = good() as Partial<Body>;
      delete body.id;
      const bytes = Buffer.from(JSON.stringify(body));
      const res = await sender.send(bytes, sender.sign(bytes, incompressible));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body!).message).toMatch(/^webhook-id: /);
    });
  });

  describe('every failed verification is recorded on the raw event and in the audit', () => {
    const failures = (rawId: string) =>
      stack.db.ds.query<Array<{ data: { attempt: number; error: string } }>>(
        `SELECT data FROM audit_log WHERE raw_event_id = $1 AND kind = 'verification.attempt_failed'`,
        [rawId],
      );

    it('a lookup answer PostgreSQL refuses (NUL in the customer id)', async () => {
      const s = stack.vpos.createSession(
        sessionBody({ metadata: { customerId: 'cust\u0000x', crm: {} } }),
      );
      stack.vpos.setStatus(s.id, 'paid');
      const raw = await waitFor(
        async () => {
          const [row] = await stack.db.ds.query<
            Array<{
              id: string;
              last_error: string | null;
              verify_attempts: number;
              status: string;
            }>
          >(`SELECT * FROM webhook_events WHERE claimed_order_id = $1`, [s.merchantOrderId]);
          return row?.last_error ? row : undefined;
        },
        20000,
        'last_error',
      );
      expect(raw.status).toBe('received');
      expect(raw.verify_attempts).toBeGreaterThanOrEqual(1);
      const audit = await failures(raw.id);
      expect(audit.length).toBeGreaterThanOrEqual(1);
      expect(audit[0].data).toMatchObject({ attempt: 1, error: raw.last_error });
    });

    it('a stored body that no longer parses', async () => {
      const [{ id }] = await stack.db.ds.query<Array<{ id: string }>>(
        `INSERT INTO webhook_events (provider, provider_event_id, raw_body, received_at)
         VALUES ('vpos', $1, '{"id": "evt_broken", ', now() - interval '10 minutes') RETURNING id`,
        [`evt_broken_${randomBytes(3).toString('hex')}`],
      );
      await stack.hub.app.get(OutboxRelay).requeueStale();
      const raw = await waitFor(
        async () => {
          const [row] = await stack.db.ds.query<
            Array<{ last_error: string | null; verify_attempts: number }>
          >(`SELECT last_error, verify_attempts FROM webhook_events WHERE id = $1`, [id]);
          return row?.last_error ? row : undefined;
        },
        20000,
        'last_error',
      );
      expect(raw.last_error).toMatch(/JSON/);
      expect((await failures(id))[0].data).toMatchObject({ attempt: 1, error: raw.last_error });
    });
  });
});
