import request from 'supertest';
import {
  AmocrmEmulator,
  LeadEventControls,
  startAmocrmEmulator,
} from '../sandbox/amocrm/amocrm-emulator';
import { freePort } from './support/redis-server';
import { startStack, Stack } from './support/stack';
import { adminHeaders, waitFor } from './support/test-hub';

const ACCOUNT_ID = 31337;

describe('payment links from amoCRM leads', () => {
  let stack: Stack;
  let amo: AmocrmEmulator & LeadEventControls;
  let connectionId: string;
  let pipelineId: number;
  let fresh: number;
  let awaiting: number;
  let linkField: number;
  let hookUrl: string;

  beforeAll(async () => {
    amo = await startAmocrmEmulator({
      account: { id: ACCOUNT_ID, currency: 'AMD' },
      rateLimitPerSecond: 100,
    });
    const pipeline = amo.createPipeline({
      name: 'Sales',
      statuses: [{ name: 'New' }, { name: 'Awaiting payment' }],
    });
    pipelineId = pipeline.id;
    fresh = pipeline.statuses.find((s) => s.name === 'New')!.id;
    awaiting = pipeline.statuses.find((s) => s.name === 'Awaiting payment')!.id;
    linkField = amo.createCustomField({ name: 'Payment link', type: 'textarea' }).id;
    const port = await freePort();
    stack = await startStack({
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      CONNECTOR_INSECURE_HOSTS: amo.host,
    });
    hookUrl = `${stack.hub.url}/webhooks/amocrm`;
  });
  afterAll(async () => {
    await stack?.close();
    await amo?.close();
  });

  const api = () => request(stack.hub.url);
  const connect = (trigger: Record<string, unknown>) =>
    api()
      .post('/api/connections')
      .set(adminHeaders)
      .send({
        type: 'amocrm',
        mode: 'token',
        displayName: 'Sales',
        settings: { host: amo.host, paymentLinkTrigger: trigger },
        credentials: { token: amo.issueLongLivedToken() },
      });
  const linksOf = (leadId: number) =>
    stack.db.ds.query<
      Array<{ order_id: string; status: string; provider_session_id: string; url: string }>
    >(
      `SELECT order_id, status, provider_session_id, url FROM payment_links
       WHERE crm->>'amocrmLeadId' = $1`,
      [String(leadId)],
    );
  const settled = async () => {
    await amo.webhooksSettled();
    await waitFor(
      async () => {
        const [row] = await stack.db.ds.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM crm_events WHERE status = 'received'`,
        );
        return row.n === 0;
      },
      30000,
      'crm events processed',
    );
  };
  const notes = (leadId: number) =>
    amo.listNotes(leadId).map((n) => String((n.params as { text?: string }).text ?? ''));

  it('refuses a closed status or an unknown pipeline at save, naming the field', async () => {
    const closed = await connect({ pipelineId, statusId: 142 });
    expect(closed.status).toBe(422);
    expect(closed.body.message).toContain('settings.paymentLinkTrigger.statusId');
    const pipeline = await connect({ pipelineId: 999999, statusId: awaiting });
    expect(pipeline.status).toBe(422);
    expect(pipeline.body.message).toContain('settings.paymentLinkTrigger.pipelineId');
  });

  it('subscribes to status changes; a lead entering the status gets one link and one note', async () => {
    const res = await connect({ pipelineId, statusId: awaiting, linkFieldId: linkField });
    expect([res.status, res.body.message]).toEqual([201, undefined]);
    connectionId = res.body.id;
    await waitFor(
      () => Promise.resolve(amo.webhooks().some((h) => h.destination === hookUrl)),
      20000,
      'the webhook subscription',
    );
    expect(amo.webhooks()[0].settings).toEqual(['status_lead']);

    const lead = amo.createLead({
      name: 'Ani',
      price: 12500,
      pipeline_id: pipelineId,
      status_id: fresh,
    });
    amo.addContact({ name: 'Ani', phone: '+37491234567', leadId: lead.id });
    amo.moveLead(lead.id, awaiting);
    await settled();
    const [sent] = amo.sentWebhooks();
    expect(sent.status).toBe(200);
    expect(sent.body).toContain(`leads%5Bstatus%5D%5B0%5D%5Bid%5D=${lead.id}`);
    for (let i = 0; i < 2; i++) {
      const again = await api().post('/webhooks/amocrm').type('form').send(sent.body);
      expect([again.status, again.body.status]).toEqual([200, 'duplicate']);
    }
    amo.moveLead(lead.id, fresh);
    amo.moveLead(lead.id, awaiting);
    await settled();

    const links = await linksOf(lead.id);
    expect(links).toHaveLength(1);
    expect(links[0].order_id).toBe(`amo-${ACCOUNT_ID}-${lead.id}`);
    const written = notes(lead.id).filter((t) => t.includes('vpos-hub link'));
    expect(written).toHaveLength(1);
    expect(written[0]).toContain(links[0].url);
    expect(written[0]).toContain('https://wa.me/37491234567?text=');
    const value = amo.getLead(lead.id)!.custom_fields_values?.find((f) => f.field_id === linkField);
    expect(JSON.stringify(value)).toContain(links[0].url);

    stack.vpos.setStatus(links[0].provider_session_id, 'paid');
    await waitFor(
      () => Promise.resolve(amo.getLead(lead.id)!.status_id === 142),
      30000,
      'the lead won',
    );
    await settled();
    expect(await linksOf(lead.id)).toHaveLength(1);
  });

  it('a webhook naming an unknown account changes nothing', async () => {
    const lead = amo.createLead({
      name: 'Bob',
      price: 500,
      pipeline_id: pipelineId,
      status_id: awaiting,
    });
    const before = await stack.db.ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM crm_events`,
    );
    const res = await api()
      .post('/webhooks/amocrm')
      .type('form')
      .send({
        'leads[status][0][id]': String(lead.id),
        'leads[status][0][status_id]': String(awaiting),
        'leads[status][0][pipeline_id]': String(pipelineId),
        'account[id]': '424242',
        'account[subdomain]': 'stranger',
      });
    expect(res.status).toBe(403);
    const after = await stack.db.ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM crm_events`,
    );
    expect(after[0].n).toBe(before[0].n);
    expect(await linksOf(lead.id)).toHaveLength(0);
    expect(notes(lead.id)).toEqual([]);
  });

  it('clearing the trigger unsubscribes', async () => {
    const res = await api()
      .patch(`/api/connections/${connectionId}`)
      .set(adminHeaders)
      .send({ settings: { host: amo.host } });
    expect(res.status).toBe(200);
    await waitFor(
      () => Promise.resolve(amo.webhooks().length === 0),
      20000,
      'the subscription removed',
    );
  });

  it('removing the connection unsubscribes at once', async () => {
    const res = await api()
      .patch(`/api/connections/${connectionId}`)
      .set(adminHeaders)
      .send({
        settings: { host: amo.host, paymentLinkTrigger: { pipelineId, statusId: awaiting } },
      });
    expect(res.status).toBe(200);
    await waitFor(() => Promise.resolve(amo.webhooks().length === 1), 20000, 'subscribed again');
    const removed = await api().delete(`/api/connections/${connectionId}`).set(adminHeaders);
    expect(removed.status).toBe(204);
    expect(amo.webhooks()).toEqual([]);
  });
});
