import request from 'supertest';
import type { VposEmulator } from '../sandbox/vpos/vpos-emulator';
import type { WebhookReceiver } from '../sandbox/webhook-receiver/webhook-receiver';
import { PaymentLinkScheduler } from '../src/payment-links/payment-link.scheduler';
import { LOOKUP_LAG_RETRIES, VerificationService } from '../src/payments/verification.service';
import { sessionBody } from './factories/sessions';
import { addWebhookConnection, pay } from './support/delivery-fixtures';
import { journal } from './support/journal-queries';
import { startStack, Stack } from './support/stack';
import { adminHeaders, TestDatabase, TestHub, waitFor } from './support/test-hub';

type Session = ReturnType<VposEmulator['createSession']>;

describe('manual review: held flags, automatic resolution, the operator resolve route', () => {
  let stack: Stack;
  let db: TestDatabase;
  let hub: TestHub;
  let vpos: VposEmulator;
  let receiver: WebhookReceiver;
  let j: ReturnType<typeof journal>;

  beforeAll(async () => {
    // The recovery scheduler runs only when a test asks it to.
    stack = await startStack({ RECOVERY_AFTER_SECONDS: '5', SCHEDULER_INTERVAL_MS: '3600000' });
    ({ db, hub, vpos, receiver } = stack);
    j = journal(db.ds);
    await addWebhookConnection(hub, receiver);
  });
  afterAll(() => stack?.close());

  const view = async (orderId: string) =>
    (await request(hub.url).get(`/api/payments/${orderId}`).set(adminHeaders)).body;
  const until = (orderId: string, status: string, ms = 20000) =>
    waitFor(
      async () => ((await view(orderId)).status === status ? true : undefined),
      ms,
      `${orderId} ${status}`,
    );
  const settled = () => waitFor(async () => (await j.unprocessed()) === 0, 20000, 'verification');
  const received = (orderId: string) => receiver.eventsFor(orderId).map((e) => e.event);
  const receivedType = (orderId: string, type: string) =>
    waitFor(
      () => Promise.resolve(received(orderId).find((e) => e.type === type)),
      30000,
      `${type} delivered for ${orderId}`,
    );
  const resolve = (orderId: string, body: unknown, actor = 'Anna') =>
    request(hub.url)
      .post(`/api/payments/${encodeURIComponent(orderId)}/resolve`)
      .set(adminHeaders)
      .set('x-actor', actor)
      .send(body as object);
  const signed = (s: Session, data: Record<string, unknown>, status = 'paid') =>
    vpos.sendRaw({
      id: `evt_${status}_${s.id}_${Math.random().toString(36).slice(2, 8)}`,
      type: `payment.${status}`,
      createdAt: new Date().toISOString(),
      data: {
        id: s.id,
        merchantOrderId: s.merchantOrderId,
        amountMinor: s.amountMinor,
        currency: 'AMD',
        status,
        ...data,
      },
    });

  /** VPOS still says pending; a signed `pending` event names the wrong amount. */
  async function inReview(): Promise<Session> {
    const s = vpos.createSession(sessionBody());
    vpos.setStatus(s.id, 'pending', { webhook: { suppress: true } });
    expect((await signed(s, { amountMinor: 100 }, 'pending')).status).toBe(200);
    await until(s.merchantOrderId, 'manual_review');
    return s;
  }

  /** A `paid` webhook that kept arriving before VPOS showed the payment: its last retry. */
  async function paidBeforeVpos(): Promise<Session> {
    const s = vpos.createSession(sessionBody());
    vpos.setStatus(s.id, 'pending', { webhook: { suppress: true } });
    const body = {
      id: `evt_early_${s.id}`,
      type: 'payment.paid',
      createdAt: new Date().toISOString(),
      data: {
        id: s.id,
        merchantOrderId: s.merchantOrderId,
        amountMinor: s.amountMinor,
        currency: 'AMD',
        status: 'paid',
      },
    };
    const [raw] = await db.ds.query<{ id: string }[]>(
      `INSERT INTO webhook_events (provider, provider_event_id, claimed_order_id, raw_body)
       VALUES ('vpos', $1, $2, $3) RETURNING id`,
      [body.id, s.merchantOrderId, JSON.stringify(body)],
    );
    const result = await hub.app.get(VerificationService).verify(raw.id, LOOKUP_LAG_RETRIES);
    expect(result).toBe('manual_review');
    await receivedType(s.merchantOrderId, 'manual_review');
    return s;
  }

  describe('(a) a mismatching event on a paid order is held for a person', () => {
    it('a signed paid event with the wrong amount leaves the order paid and opens a flag', async () => {
      const s = pay(vpos);
      await until(s.merchantOrderId, 'paid');
      await receivedType(s.merchantOrderId, 'paid');

      expect((await signed(s, { amountMinor: 100 })).status).toBe(200);
      await settled();

      const v = await view(s.merchantOrderId);
      expect(v.status).toBe('paid');
      expect(v.inReview).toBe(true);
      expect(v.attempts.map((a: { status: string }) => a.status)).toEqual(['paid']);
      expect(v.reviews).toHaveLength(1);
      expect(v.reviews[0]).toMatchObject({
        kind: 'flag',
        resolvedAt: null,
        mismatches: [{ field: 'amountMinor', source: 'webhook', expected: 1_250_000, actual: 100 }],
      });
      const held = v.events[1];
      expect(held).toMatchObject({
        type: 'manual_review',
        applied: false,
        orderStatus: 'paid',
        flags: ['held_for_review'],
      });
      const kinds = (await j.audit(s.merchantOrderId)).map((a) => a.kind);
      expect(kinds).toEqual(expect.arrayContaining(['state.held', 'review.opened']));
      const rows = await db.ds.query(`SELECT * FROM deliveries WHERE order_id = $1`, [
        s.merchantOrderId,
      ]);
      expect(rows).toHaveLength(1);
      expect(received(s.merchantOrderId).map((e) => e.type)).toEqual(['paid']);
    });

    it('a signed event naming an unknown session of a paid order leaves it paid too', async () => {
      const s = pay(vpos);
      await until(s.merchantOrderId, 'paid');
      expect((await signed({ ...s, id: `ps_ghost_${s.id}` }, {})).status).toBe(200);
      await settled();
      const v = await view(s.merchantOrderId);
      expect(v.status).toBe('paid');
      expect(v.inReview).toBe(true);
      expect(v.reviews[0]).toMatchObject({ kind: 'flag', reason: 'mismatch_on_paid' });
      expect(received(s.merchantOrderId).map((e) => e.type)).not.toContain('manual_review');
    });
  });

  describe('(b) a verified lookup that agrees ends the review', () => {
    it('the real paid webhook takes manual_review to paid, delivered to the CRMs', async () => {
      const s = await paidBeforeVpos();
      vpos.setStatus(s.id, 'paid');
      await until(s.merchantOrderId, 'paid');
      const paid = await receivedType(s.merchantOrderId, 'paid');
      expect(paid).toMatchObject({ previousStatus: 'manual_review', flags: ['review_resolved'] });
      const v = await view(s.merchantOrderId);
      expect(v.inReview).toBe(false);
      expect(v.reviews[0]).toMatchObject({
        kind: 'mismatch',
        resolution: 'auto',
        resolvedBy: 'verifier',
      });
      const audit = await j.audit(s.merchantOrderId);
      expect(audit.find((a) => a.kind === 'review.resolved')?.data).toMatchObject({
        decision: 'auto',
        status: 'paid',
      });
      expect(
        audit.some(
          (a) =>
            a.kind === 'state.transition' &&
            a.data.scope === 'order' &&
            a.data.from === 'manual_review' &&
            a.data.to === 'paid',
        ),
      ).toBe(true);
    });

    it("the scheduler's recovery lookup ends it when the webhook never comes", async () => {
      const s = await paidBeforeVpos();
      vpos.setStatus(s.id, 'paid', { webhook: { suppress: true } });
      const scheduler = hub.app.get(PaymentLinkScheduler);
      await waitFor(
        async () => ((await scheduler.runOnce()).recovered > 0 ? true : undefined),
        20000,
        'recovery lookup',
      );
      expect((await view(s.merchantOrderId)).status).toBe('paid');
      const paid = await receivedType(s.merchantOrderId, 'paid');
      expect(paid).toMatchObject({ verifiedBy: 'scheduler', previousStatus: 'manual_review' });
    });
  });

  describe('(c) POST /api/payments/:orderId/resolve', () => {
    it('accept_paid: paid through the journal, delivered, audited with actor and reason', async () => {
      const s = await inReview();
      const res = await resolve(s.merchantOrderId, {
        decision: 'accept_paid',
        reason: 'bank statement shows it',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        orderId: s.merchantOrderId,
        status: 'paid',
        inReview: false,
      });
      expect(res.body.reviews[0]).toMatchObject({
        resolution: 'accept_paid',
        resolvedBy: 'Anna',
        resolutionReason: 'bank statement shows it',
      });
      const event = await receivedType(s.merchantOrderId, 'paid');
      expect(event).toMatchObject({ verifiedBy: 'operator', previousStatus: 'manual_review' });
      const audit = await j.audit(s.merchantOrderId);
      expect(audit.find((a) => a.kind === 'review.resolved')).toMatchObject({
        actor: 'Anna',
        data: { decision: 'accept_paid', reason: 'bank statement shows it' },
      });
      expect(audit.find((a) => a.kind === 'review.decision')).toMatchObject({
        actor: 'Anna',
        data: { decision: 'accept_paid', reason: 'bank statement shows it' },
      });
    });

    it('mark_failed: failed through the journal and delivered', async () => {
      const s = await inReview();
      const res = await resolve(s.merchantOrderId, {
        decision: 'mark_failed',
        reason: 'no money arrived',
      });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('failed');
      expect(await receivedType(s.merchantOrderId, 'failed')).toMatchObject({
        verifiedBy: 'operator',
      });
      expect(
        (await j.audit(s.merchantOrderId)).find((a) => a.kind === 'review.resolved'),
      ).toMatchObject({
        actor: 'Anna',
        data: { decision: 'mark_failed', reason: 'no money arrived' },
      });
    });

    it('lookup: asks VPOS again; an agreeing paid answer ends the review', async () => {
      const s = await inReview();
      const still = await resolve(s.merchantOrderId, { decision: 'lookup', reason: 'check' });
      expect(still.status).toBe(200);
      expect(still.body).toMatchObject({ status: 'manual_review', inReview: true });

      vpos.setStatus(s.id, 'paid', { webhook: { suppress: true } });
      const res = await resolve(s.merchantOrderId, { decision: 'lookup', reason: 'paid now?' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'paid', inReview: false });
      expect(res.body.reviews[0]).toMatchObject({ resolution: 'lookup', resolvedBy: 'Anna' });
      expect(await receivedType(s.merchantOrderId, 'paid')).toMatchObject({
        verifiedBy: 'status_lookup',
      });
      const decisions = (await j.audit(s.merchantOrderId)).filter(
        (a) => a.kind === 'review.decision',
      );
      expect(decisions.map((d) => d.data.reason)).toEqual(['check', 'paid now?']);
    });

    it('a flag on a paid order: mark_failed is refused, lookup or accept_paid clear it', async () => {
      const s = pay(vpos);
      await until(s.merchantOrderId, 'paid');
      await signed(s, { amountMinor: 7 });
      await settled();
      const refused = await resolve(s.merchantOrderId, { decision: 'mark_failed', reason: 'x' });
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain('mark_failed');

      const looked = await resolve(s.merchantOrderId, {
        decision: 'lookup',
        reason: 'VPOS agrees',
      });
      expect(looked.status).toBe(200);
      expect(looked.body).toMatchObject({ status: 'paid', inReview: false });
      expect(looked.body.reviews[0]).toMatchObject({ resolution: 'lookup', resolvedBy: 'Anna' });

      await signed(s, { amountMinor: 8 });
      await settled();
      const accepted = await resolve(s.merchantOrderId, { decision: 'accept_paid', reason: 'ok' });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ status: 'paid', inReview: false });
      expect(received(s.merchantOrderId).map((e) => e.type)).toEqual(['paid']);
    });

    it('409 when the order is not in review', async () => {
      const s = pay(vpos);
      await until(s.merchantOrderId, 'paid');
      for (const decision of ['lookup', 'accept_paid', 'mark_failed']) {
        const res = await resolve(s.merchantOrderId, { decision, reason: 'try' });
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({
          statusCode: 409,
          message: expect.stringContaining('review'),
        });
      }
      expect((await view(s.merchantOrderId)).status).toBe('paid');
    });

    it('404 for an unknown order', async () => {
      const res = await resolve('no-such-order', { decision: 'lookup', reason: 'x' });
      expect(res.status).toBe(404);
      expect(res.body.message).toContain('orderId');
    });

    let pendingReview: Session | undefined;
    it.each([
      ['no decision', { reason: 'x' }, 'decision'],
      ['an unknown decision', { decision: 'refund', reason: 'x' }, 'decision'],
      ['a null decision', { decision: null, reason: 'x' }, 'decision'],
      ['no reason', { decision: 'accept_paid' }, 'reason'],
      ['a blank reason', { decision: 'accept_paid', reason: '   ' }, 'reason'],
      ['a number as reason', { decision: 'accept_paid', reason: 42 }, 'reason'],
      [
        'a reason over 500 characters',
        { decision: 'accept_paid', reason: 'x'.repeat(501) },
        'reason',
      ],
      ['an unknown field', { decision: 'accept_paid', reason: 'x', extra: 1 }, 'extra'],
    ])('422 for %s, naming the field', async (_what, body, field) => {
      const s = (pendingReview ??= await inReview());
      const res = await resolve(s.merchantOrderId, body);
      expect(res.status).toBe(422);
      expect(res.body.message).toContain(field);
      expect((await view(s.merchantOrderId)).status).toBe('manual_review');
    });
  });

  it('the OpenAPI document describes the route with its answers', async () => {
    const doc = (await request(hub.url).get('/docs-json').set(adminHeaders)).body;
    const op = doc.paths['/api/payments/{orderId}/resolve'].post;
    expect(Object.keys(op.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '404',
      '409',
      '413',
      '422',
      '502',
      '503',
    ]);
    expect(op.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Payment',
    });
    expect(doc.components.schemas.Payment.properties).toHaveProperty('reviews');
  });
});
