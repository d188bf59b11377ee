import { paymentEvent } from '../../../test/factories/payment-events';
import type { PaymentEventV1 } from '../../payments/payment-event';
import { ConnectorError, DeliveryItemResult } from '../crm-connector';
import { LeadBatch, LeadRecords, Work } from './amocrm.batch';
import type { AmocrmClient } from './amocrm.client';
import { AmocrmValidationError } from './amocrm.errors';
import { noteMarker } from './amocrm.mapper';
import { parseAmocrmSettings } from './amocrm.settings';
import type { AmoLead } from './amocrm.types';

type Handler = (method: string, path: string, body: unknown) => unknown;

/** A stand-in client: records each request and answers from `handler` (throwing = failing). */
function fakeClient(handler: Handler) {
  const calls: Array<{ method: string; path: string; body?: unknown }> = [];
  const call = (method: string) => (path: string, second?: unknown) => {
    const full =
      method === 'GET' && second instanceof URLSearchParams ? `${path}?${second.toString()}` : path;
    const body = method === 'GET' ? undefined : second;
    calls.push({ method, path: full, body });
    return Promise.resolve().then(() => handler(method, full, body));
  };
  const client = {
    baseUrl: 'https://shop.amocrm.ru',
    get: call('GET'),
    post: call('POST'),
    patch: call('PATCH'),
  } as unknown as AmocrmClient;
  return { client, calls };
}

const lead = (id: number, extra: Partial<AmoLead> = {}): AmoLead => ({
  id,
  price: 0,
  status_id: 3001,
  pipeline_id: 300,
  custom_fields_values: null,
  ...extra,
});
let seq = 0;
const work = (event: Partial<PaymentEventV1>, attempt = 1): Work => {
  seq += 1;
  const e = paymentEvent({
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    ...event,
  });
  return {
    item: { deliveryId: `d${seq}`, attempt, event: e, link: null },
    input: { event: e, link: null, exponent: 2 },
  };
};
const outcome = (r: DeliveryItemResult) =>
  r.outcome === 'failed' ? `failed:${r.error.kind}:${r.error.code}` : r.outcome;
const settings = parseAmocrmSettings({ orderIdField: 11 });
const saved = (path: string, body: unknown) =>
  path.endsWith('/notes') ? { _embedded: { notes: [] } } : { body };

describe('a batch of deliveries to amoCRM', () => {
  it('costs one filtered lookup, one PATCH and one notes POST for several leads', async () => {
    const items = [1, 2, 3].map((i) =>
      work({ orderId: `O-${i}`, crm: { amocrmLeadId: `10${i}` } }),
    );
    const { client, calls } = fakeClient((method, path, body) =>
      method === 'GET'
        ? { _embedded: { leads: [lead(101), lead(102), lead(103, { status_id: 142 })] } }
        : saved(path, body),
    );
    const results = await new LeadBatch(client, settings, items).run();
    expect(results.map(outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(results[0]).toMatchObject({
      externalId: '101',
      externalUrl: 'https://shop.amocrm.ru/leads/detail/101',
    });
    expect(calls.map((c) => `${c.method} ${c.path.split('?')[0]}`)).toEqual([
      'GET /api/v4/leads',
      'PATCH /api/v4/leads',
      'POST /api/v4/leads/notes',
    ]);
    expect(calls[0].path).toContain('filter%5Bid%5D%5B%5D=101&filter%5Bid%5D%5B%5D=102');
    // The won lead 103 only gets its order id field; 101 and 102 are moved to 142.
    expect(calls[1].body).toEqual([
      expect.objectContaining({ id: 101, status_id: 142, price: 12500, request_id: '0' }),
      expect.objectContaining({ id: 102, status_id: 142, request_id: '1' }),
      {
        id: 103,
        custom_fields_values: [{ field_id: 11, values: [{ value: 'O-3' }] }],
        request_id: '2',
      },
    ]);
    expect(calls[2].body).toHaveLength(3);
  });

  it('two orders naming one lead make one PATCH item for it', async () => {
    const items = [
      work({ orderId: 'M-1', crm: { amocrmLeadId: '150' } }),
      work({ type: 'failed', orderId: 'M-2', crm: { amocrmLeadId: '150' } }),
    ];
    const s = parseAmocrmSettings({ orderIdField: 11, fields: { providerReference: 13 } });
    const { client, calls } = fakeClient((method) => (method === 'GET' ? lead(150) : {}));
    const results = await new LeadBatch(client, s, items).run();
    expect(results.map(outcome)).toEqual(['delivered', 'delivered']);
    const patch = calls.find((c) => c.method === 'PATCH')!.body as Array<Record<string, unknown>>;
    expect(patch).toEqual([
      {
        id: 150,
        status_id: 142,
        price: 12500,
        custom_fields_values: [
          { field_id: 11, values: [{ value: 'M-1' }] },
          { field_id: 13, values: [{ value: 'pay-77' }] },
        ],
        request_id: '0',
      },
    ]);
    expect((calls.find((c) => c.path.endsWith('/notes'))!.body as unknown[]).length).toBe(2);
  });

  it('a note refused by validation fails that item alone; the others are sent again', async () => {
    const items = [1, 2, 3].map((i) => work({ crm: { amocrmLeadId: `20${i}` } }));
    let notesTries = 0;
    const { client, calls } = fakeClient((method, path) => {
      if (method === 'GET') return { _embedded: { leads: [lead(201), lead(202), lead(203)] } };
      if (path.endsWith('/notes') && notesTries++ === 0) {
        throw new AmocrmValidationError('amocrm: HTTP 400', [
          { requestId: '1', messages: ['params.text: This value should not be blank.'] },
        ]);
      }
      return {};
    });
    const results = await new LeadBatch(client, settings, items).run();
    expect(results.map(outcome)).toEqual(['delivered', 'failed:permanent:VALIDATION', 'delivered']);
    const notes = calls.filter((c) => c.path.endsWith('/notes'));
    expect(
      notes.map((c) => (c.body as Array<{ entity_id: number }>).map((n) => n.entity_id)),
    ).toEqual([
      [201, 202, 203],
      [201, 203],
    ]);
  });

  it('an auth failure fails every item (the connection needs a reconnect)', async () => {
    const items = [work({ crm: { amocrmLeadId: '301' } }), work({ type: 'expired' })];
    const { client } = fakeClient(() => {
      throw new ConnectorError('amocrm', 'auth', 'UNAUTHORIZED', 'amocrm: HTTP 401', 401);
    });
    const results = await new LeadBatch(client, settings, items).run();
    expect(results.map(outcome)).toEqual(['failed:auth:UNAUTHORIZED', 'failed:auth:UNAUTHORIZED']);
  });

  it('a failed order search fails that item; a search match must hold the exact order id', async () => {
    const a = work({ orderId: 'A-1' });
    const b = work({ orderId: 'B-1' });
    const { client } = fakeClient((method, path) => {
      if (method !== 'GET') return {};
      if (path.includes('query=B-1')) {
        throw new ConnectorError('amocrm', 'retryable', 'HTTP_503', 'amocrm: HTTP 503', 503);
      }
      const holding = (id: number, value: string) =>
        lead(id, { custom_fields_values: [{ field_id: 11, values: [{ value }] }] });
      return { _embedded: { leads: [holding(400, 'A-10'), holding(401, 'A-1')] } };
    });
    const results = await new LeadBatch(client, settings, [a, b]).run();
    expect(results.map(outcome)).toEqual(['delivered', 'failed:retryable:HTTP_503']);
    expect(results[0]).toMatchObject({ externalId: '401' });
  });

  it('finds many orders in one list filtered by the order id field, no search per order', async () => {
    const items = ['F-1', 'F-2', 'F-3'].map((orderId) => work({ orderId }));
    const { client, calls } = fakeClient((method, path, body) => {
      if (method !== 'GET') return saved(path, body);
      const holding = (id: number, value: string) =>
        lead(id, { custom_fields_values: [{ field_id: 11, values: [{ value }] }] });
      return {
        _embedded: { leads: [holding(703, 'F-3'), holding(701, 'F-1'), holding(702, 'F-2')] },
      };
    });
    const results = await new LeadBatch(client, settings, items).run();
    expect(results.map((r) => r.outcome === 'delivered' && r.externalId)).toEqual([
      '701',
      '702',
      '703',
    ]);
    expect(calls.map((c) => `${c.method} ${c.path.split('?')[0]}`)).toEqual([
      'GET /api/v4/leads',
      'PATCH /api/v4/leads',
      'POST /api/v4/leads/notes',
    ]);
    expect(decodeURIComponent(calls[0].path)).toContain(
      'filter[custom_fields_values][11][]=F-1&filter[custom_fields_values][11][]=F-2',
    );
  });

  it('an account that drops the field filter: each order is searched as before', async () => {
    const items = ['G-1', 'G-2'].map((orderId) => work({ orderId }));
    const { client, calls } = fakeClient((method, path, body) => {
      if (method !== 'GET') return saved(path, body);
      const holding = (id: number, value: string) =>
        lead(id, { custom_fields_values: [{ field_id: 11, values: [{ value }] }] });
      if (path.includes('query=')) {
        const q = new URL(`https://x${path}`).searchParams.get('query')!;
        return { _embedded: { leads: [holding(q === 'G-1' ? 801 : 802, q)] } };
      }
      return { _embedded: { leads: [holding(900, 'other-order')] } };
    });
    const results = await new LeadBatch(client, settings, items).run();
    expect(results.map((r) => r.outcome === 'delivered' && r.externalId)).toEqual(['801', '802']);
    expect(calls.filter((c) => c.path.includes('query=')).length).toBe(2);
  });

  it('on a retry a note with the marker is not written again', async () => {
    const w = work({ crm: { amocrmLeadId: '501' } }, 3);
    const { client, calls } = fakeClient((method, path) => {
      if (path.startsWith('/api/v4/leads/notes') && method === 'GET') {
        return {
          _embedded: {
            notes: [
              {
                id: 1,
                entity_id: 501,
                note_type: 'common',
                params: { text: `x ${noteMarker(w.item.event.id)}` },
              },
            ],
          },
        };
      }
      if (method === 'GET')
        return lead(501, {
          status_id: 142,
          custom_fields_values: [{ field_id: 11, values: [{ value: 'A-1001' }] }],
        });
      throw new Error(`unexpected ${method} ${path}`);
    });
    const [result] = await new LeadBatch(client, settings, [w]).run();
    expect(result).toMatchObject({ outcome: 'delivered', detail: 'note existed' });
    expect(calls.map((c) => c.method)).toEqual(['GET', 'GET']);
    expect(calls[1].path).toContain('filter%5Bentity_id%5D%5B%5D=501');
  });

  it('reads the recorded lead before any search and records a new lead before anything else', async () => {
    const steps: string[] = [];
    const records: LeadRecords = {
      read: (orderIds) => {
        steps.push(`read ${orderIds.join(',')}`);
        return Promise.resolve(new Map([['R-1', 701]]));
      },
      write: (leads) => {
        steps.push(`write ${leads.map((l) => `${l.orderId}=${l.leadId}`).join(',')}`);
        return Promise.resolve();
      },
      inDoubt: () => Promise.resolve(new Map()),
      creating: (orderIds) => {
        steps.push(`creating ${orderIds.join(',')}`);
        return Promise.resolve(new Set(orderIds));
      },
    };
    const { client, calls } = fakeClient((method, path, body) => {
      steps.push(`${method} ${path}`);
      if (path === '/api/v4/leads/701') return lead(701);
      if (method === 'POST' && path === '/api/v4/leads') {
        return { _embedded: { leads: [{ id: 702, request_id: '0' }] } };
      }
      return method === 'GET' ? null : saved(path, body);
    });
    const create = parseAmocrmSettings({ orderIdField: 11, createLeads: true });
    const items = [work({ orderId: 'R-1' }, 2), work({ orderId: 'N-1' })];
    const results = await new LeadBatch(client, create, items, records).run();
    expect(results.map((r) => r.outcome === 'delivered' && r.externalId)).toEqual(['701', '702']);
    expect(steps.slice(0, 6)).toEqual([
      'read R-1,N-1',
      'GET /api/v4/leads/701',
      expect.stringContaining('query=N-1'),
      'creating N-1',
      'POST /api/v4/leads',
      'write N-1=702',
    ]);
    expect(calls.some((c) => c.path.includes('query=R-1'))).toBe(false);
  });

  it('no lead and createLeads off → a permanent failure saying why', async () => {
    const { client } = fakeClient(() => null);
    const [result] = await new LeadBatch(client, settings, [work({ orderId: 'Z-9' })]).run();
    expect(result.outcome === 'failed' && result.error).toMatchObject({
      kind: 'permanent',
      code: 'NO_LEAD',
      message: expect.stringContaining('no lead for order Z-9'),
    });
  });
});
