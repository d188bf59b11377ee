import { randomUUID } from 'node:crypto';
import { AmocrmEmulator, startAmocrmEmulator } from '../sandbox/amocrm/amocrm-emulator';
import { LeadBatch, Work } from '../src/connectors/amocrm/amocrm.batch';
import { AmocrmClient } from '../src/connectors/amocrm/amocrm.client';
import { leadRecords } from '../src/connectors/amocrm/amocrm.connector';
import { parseAmocrmSettings } from '../src/connectors/amocrm/amocrm.settings';
import type { DeliveryItemResult } from '../src/connectors/crm-connector';
import { CrmEntitiesService } from '../src/connectors/shared/crm-entities.service';
import { paymentEvent } from './factories/payment-events';
import { createTestDatabase, TestDatabase, waitFor } from './support/test-hub';

const TIMEOUT_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('amoCRM: a lead create whose answer is lost is never sent blind a second time', () => {
  let db: TestDatabase;
  let amo: AmocrmEmulator;
  let entities: CrmEntitiesService;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    entities = new CrmEntitiesService(db.ds);
    amo = await startAmocrmEmulator();
  });
  afterAll(async () => {
    await amo?.close();
    await db?.drop();
  });
  beforeEach(() => {
    amo.reset();
    token = amo.issueLongLivedToken();
    // The search index never catches up here: only the record or created_at can find the lead.
    amo.setSearchLag(60 * 60_000);
  });

  async function setUp() {
    const connectionId = randomUUID();
    await db.ds.query(
      `INSERT INTO connections (id, type, display_name, mode, account, settings)
       VALUES ($1, 'amocrm', 'Sales', 'token', '{}', '{}')`,
      [connectionId],
    );
    const orderIdField = amo.createCustomField({ name: 'Order ID', type: 'text' }).id;
    const settings = parseAmocrmSettings({ orderIdField, createLeads: true });
    const orderId = `LC-${randomUUID().slice(0, 8)}`;
    const event = paymentEvent({ id: randomUUID(), orderId });
    const deliver = async (attempt: number): Promise<DeliveryItemResult> => {
      const client = new AmocrmClient(amo.url, { mode: 'token', token }, undefined, TIMEOUT_MS);
      const work: Work = {
        item: { deliveryId: 'd1', attempt, event, link: null },
        input: { event, link: null, exponent: 2 },
      };
      const batch = new LeadBatch(client, settings, [work], leadRecords(entities, connectionId));
      return (await batch.run())[0];
    };
    const leadsOf = () =>
      amo
        .listLeads()
        .filter((l) =>
          l.custom_fields_values?.some(
            (f) => f.field_id === orderIdField && f.values.some((v) => v.value === orderId),
          ),
        );
    const doubts = async () =>
      (
        await db.ds.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM crm_creates WHERE connection_id = $1`,
          [connectionId],
        )
      )[0].n;
    return { connectionId, orderId, orderIdField, deliver, leadsOf, doubts };
  }

  const failure = (r: DeliveryItemResult) =>
    r.outcome === 'failed' ? `${r.error.kind}:${r.error.code}` : r.outcome;

  it('the create lands after the client timed out: the retries wait, then find it by created_at', async () => {
    const { connectionId, orderId, deliver, leadsOf, doubts } = await setUp();
    let delayed = 0;
    amo.setBeforeHandle(async ({ method, path }) => {
      if (method === 'POST' && path === '/api/v4/leads' && delayed++ === 0) {
        await sleep(TIMEOUT_MS * 1.5);
      }
    });

    expect(failure(await deliver(1))).toBe('retryable:ECONNABORTED');
    const second = await deliver(2);
    expect(failure(second)).toBe('retryable:CREATE_IN_DOUBT');
    expect(second.outcome === 'failed' && second.error.retryAfterMs).toBeGreaterThan(0);
    await waitFor(() => Promise.resolve(amo.counters().leadsCreated === 1), 5000, 'late create');
    await sleep(2 * TIMEOUT_MS);

    const third = await deliver(3);
    const [lead] = leadsOf();
    expect(third).toMatchObject({ outcome: 'delivered', externalId: String(lead.id) });
    expect(leadsOf()).toHaveLength(1);
    expect(amo.counters().leadsCreated).toBe(1);
    expect(amo.listNotes(lead.id)).toHaveLength(1);
    expect(await entities.idsOf(connectionId, 'lead', [orderId])).toEqual(
      new Map([[orderId, lead.id]]),
    );
    expect(await doubts()).toBe(0);
  });

  it('a create refused before amoCRM handled it is sent again once the doubt has settled', async () => {
    const { leadsOf, deliver, doubts } = await setUp();
    amo.injectFaults({ count: 1, status: 504, method: 'POST', pathIncludes: '/api/v4/leads' });

    expect(failure(await deliver(1))).toBe('retryable:HTTP_504');
    expect(failure(await deliver(2))).toBe('retryable:CREATE_IN_DOUBT');
    expect(amo.counters().leadsCreated).toBe(0);
    await sleep(2 * TIMEOUT_MS);

    const third = await deliver(3);
    expect(third).toMatchObject({ outcome: 'delivered', detail: 'lead created' });
    expect(leadsOf()).toHaveLength(1);
    expect(await doubts()).toBe(0);
  });

  it('another attempt records the lead while this one searches: this one waits, then uses it', async () => {
    const { connectionId, orderId, orderIdField, deliver, leadsOf } = await setUp();
    let theirs = 0;
    amo.setBeforeHandle(async ({ method, path }) => {
      if (method !== 'GET' || path !== '/api/v4/leads' || theirs !== 0) return;
      theirs = amo.createLead({
        name: 'theirs',
        custom_fields_values: [{ field_id: orderIdField, values: [{ value: orderId }] }],
      }).id;
      await entities.recordIds(connectionId, 'lead', [{ orderId, id: theirs }]);
    });

    expect(failure(await deliver(2))).toBe('retryable:CREATE_IN_DOUBT');
    const result = await deliver(3);
    expect(result).toMatchObject({ outcome: 'delivered', externalId: String(theirs) });
    expect(leadsOf()).toHaveLength(1);
    expect(amo.counters().leadsCreated).toBe(0);
    expect(amo.listNotes(theirs)).toHaveLength(1);
  });

  it('while another attempt holds a fresh create, this one waits a moment and creates none', async () => {
    const { connectionId, orderId, deliver } = await setUp();
    expect(await entities.creating(connectionId, 'lead', [orderId], new Date(), 60_000)).toEqual(
      new Set([orderId]),
    );
    const result = await deliver(1);
    expect(failure(result)).toBe('retryable:CREATE_IN_DOUBT');
    expect(amo.counters().leadsCreated).toBe(0);
  });
});
