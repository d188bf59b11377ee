import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_REDIRECT_URI,
  startAmocrmEmulator,
  type AmocrmEmulator,
  type AmoIssuedTokens,
  type AmocrmCounters,
} from './amocrm-emulator';

type Item = { id: number } & Record<string, unknown>;

interface HalList {
  _page: number;
  _links: Record<string, { href: string }>;
  _embedded: Record<string, Item[]>;
}

interface ValidationBody {
  'validation-errors': Array<{ request_id: string; errors: Array<{ path: string }> }>;
}

const REVOKED_BODY = {
  hint: 'Token has been revoked',
  title: 'Некорректный запрос',
  type: 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson',
  status: 401,
  detail: 'В запросе отсутствует ряд параметров или параметры невалидны',
};

describe('amoCRM emulator', () => {
  let amo: AmocrmEmulator;

  beforeAll(async () => {
    amo = await startAmocrmEmulator({ rateLimitPerSecond: 0 });
  });
  afterAll(() => amo.close());
  beforeEach(() => {
    amo.reset();
    amo.setRateLimit(0);
  });

  const api = (path: string, token: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${amo.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string> | undefined),
      },
    });

  const post = (path: string, token: string, body: unknown, method = 'POST'): Promise<Response> =>
    api(path, token, { method, body: JSON.stringify(body) });

  const tokenRequest = (body: Record<string, string>, form = false): Promise<Response> =>
    fetch(`${amo.url}/oauth2/access_token`, {
      method: 'POST',
      headers: {
        'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      },
      body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
    });

  const codeGrant = (code: string, redirectUri = DEFAULT_REDIRECT_URI): Promise<Response> =>
    tokenRequest({
      client_id: DEFAULT_CLIENT_ID,
      client_secret: DEFAULT_CLIENT_SECRET,
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
    });

  const refreshGrant = (refreshToken: string): Promise<Response> =>
    tokenRequest(
      {
        client_id: DEFAULT_CLIENT_ID,
        client_secret: DEFAULT_CLIENT_SECRET,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        redirect_uri: DEFAULT_REDIRECT_URI,
      },
      true,
    );

  describe('OAuth', () => {
    it('shows a consent page, then redirects with code, referer, state and client_id', async () => {
      const page = await fetch(
        `${amo.url}/oauth?client_id=${DEFAULT_CLIENT_ID}&state=s1&mode=popup`,
      );
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('action="/oauth/decision"');

      const form = new URLSearchParams({
        client_id: DEFAULT_CLIENT_ID,
        state: 's1',
        decision: 'allow',
      });
      const decision = await fetch(`${amo.url}/oauth/decision`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        redirect: 'manual',
      });
      expect(decision.status).toBe(302);
      const location = new URL(decision.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(DEFAULT_REDIRECT_URI);
      expect(location.searchParams.get('referer')).toBe(amo.host);
      expect(location.searchParams.get('state')).toBe('s1');
      expect(location.searchParams.get('client_id')).toBe(DEFAULT_CLIENT_ID);
      const code = location.searchParams.get('code') ?? '';

      const res = await codeGrant(code);
      expect(res.status).toBe(200);
      const tokens = (await res.json()) as AmoIssuedTokens;
      expect(tokens).toEqual({
        token_type: 'Bearer',
        expires_in: 86400,
        access_token: expect.any(String),
        refresh_token: expect.any(String),
      });
      const account = await api('/api/v4/account', tokens.access_token);
      expect(account.status).toBe(200);
      expect(account.headers.get('content-type')).toContain('application/hal+json');
      expect(await account.json()).toMatchObject({ subdomain: 'emulator', currency: 'RUB' });
    });

    it('auto-approves, models deny and widget installs, and rejects unknown clients', async () => {
      const unknown = await fetch(`${amo.url}/oauth?client_id=nope`);
      expect(unknown.status).toBe(400);

      amo.setAutoApprove(true);
      const auto = await fetch(`${amo.url}/oauth?client_id=${DEFAULT_CLIENT_ID}&state=xyz`, {
        redirect: 'manual',
      });
      expect(auto.status).toBe(302);
      expect(new URL(auto.headers.get('location') ?? '').searchParams.get('state')).toBe('xyz');

      amo.setAutoApprove({ fromWidget: true, referer: 'evil.example.com' });
      const widget = new URL(
        (
          await fetch(`${amo.url}/oauth?client_id=${DEFAULT_CLIENT_ID}&state=xyz`, {
            redirect: 'manual',
          })
        ).headers.get('location') ?? '',
      );
      expect(widget.searchParams.get('from_widget')).toBe('1');
      expect(widget.searchParams.has('state')).toBe(false);
      expect(widget.searchParams.get('referer')).toBe('evil.example.com');

      const denied = new URL(amo.authorize(undefined, 's', { deny: true }).redirectUrl);
      expect(denied.searchParams.get('error')).toBe('access_denied');
      expect(denied.searchParams.has('code')).toBe(false);
    });

    it('makes codes single-use, 20-minute and bound to the redirect URI', async () => {
      const { code } = amo.authorize();
      expect((await codeGrant(code ?? '', 'http://elsewhere/cb')).status).toBe(400);
      expect((await codeGrant(code ?? '')).status).toBe(200);
      const reused = await codeGrant(code ?? '');
      expect(reused.status).toBe(400);
      expect(reused.headers.get('content-type')).toContain('application/problem+json');
      expect(await reused.json()).toMatchObject({ hint: 'Authorization code has been revoked' });

      const late = amo.authorize().code ?? '';
      amo.advanceClock(20 * 60 + 1);
      expect(await (await codeGrant(late)).json()).toMatchObject({
        status: 400,
        hint: 'Authorization code has expired',
      });

      const badSecret = await tokenRequest({
        client_id: DEFAULT_CLIENT_ID,
        client_secret: 'wrong',
        grant_type: 'authorization_code',
        code: amo.authorize().code ?? '',
        redirect_uri: DEFAULT_REDIRECT_URI,
      });
      expect(badSecret.status).toBe(401);
    });

    it('rotates refresh tokens: a reused one gets the exact "Token has been revoked" body', async () => {
      const first = amo.issueTokens();
      const res = await refreshGrant(first.refresh_token);
      expect(res.status).toBe(200);
      const second = (await res.json()) as AmoIssuedTokens;
      expect(second.refresh_token).not.toBe(first.refresh_token);

      const reused = await refreshGrant(first.refresh_token);
      expect(reused.status).toBe(401);
      expect(await reused.json()).toEqual(REVOKED_BODY);

      expect((await api('/api/v4/account', first.access_token)).status).toBe(401);
      expect((await api('/api/v4/account', second.access_token)).status).toBe(200);

      amo.revokeRefreshToken(second.refresh_token);
      expect(await (await refreshGrant(second.refresh_token)).json()).toEqual(REVOKED_BODY);
      expect(amo.counters()).toMatchObject({ refreshTokenGrants: 1, tokenErrors: 2 });
    });

    it('expires access tokens (control and clock) with the 401 problem body', async () => {
      const a = amo.issueTokens();
      const b = amo.issueTokens();
      expect(amo.expireAccessToken(a.access_token)).toBe(1);
      const res = await api('/api/v4/account', a.access_token);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        title: 'Unauthorized',
        type: 'https://httpstatus.es/401',
        status: 401,
        detail: 'Неверный логин или пароль',
      });
      expect((await api('/api/v4/account', b.access_token)).status).toBe(200);
      amo.advanceClock(86_400);
      expect((await api('/api/v4/account', b.access_token)).status).toBe(401);
      expect((await fetch(`${amo.url}/api/v4/account`)).status).toBe(401);
    });

    it('issues long-lived tokens that work without refresh until revoked', async () => {
      const token = amo.issueLongLivedToken({ ttlSec: 5 * 365 * 86_400 });
      amo.advanceClock(400 * 86_400);
      expect((await api('/api/v4/leads/pipelines', token)).status).toBe(200);
      expect(amo.revokeLongLivedToken(token)).toBe(true);
      expect((await api('/api/v4/leads/pipelines', token)).status).toBe(401);
      expect(() => amo.issueLongLivedToken({ ttlSec: 60 })).toThrow();
    });
  });

  describe('CRM API', () => {
    let token: string;
    beforeEach(() => {
      token = amo.issueTokens().access_token;
    });

    it('creates, lists, searches, filters, pages and updates leads', async () => {
      const orderField = amo.createCustomField({
        name: 'Order ID',
        type: 'text',
        code: 'ORDER_ID',
      });
      const empty = await api('/api/v4/leads', token);
      expect(empty.status).toBe(204);
      expect(await empty.text()).toBe('');

      const created = await post('/api/v4/leads', token, [
        {
          name: 'Payment order-1',
          price: 5000,
          custom_fields_values: [{ field_id: orderField.id, values: [{ value: 'order-1' }] }],
          _embedded: { tags: [{ name: 'vpos' }] },
          request_id: 'r1',
        },
        { name: 'Payment order-2', price: 700 },
      ]);
      expect(created.status).toBe(200);
      const body = (await created.json()) as {
        _embedded: { leads: Array<{ id: number; request_id: string; _links: unknown }> };
      };
      expect(body._embedded.leads.map((l) => l.request_id)).toEqual(['r1', '1']);
      const [id1, id2] = body._embedded.leads.map((l) => l.id);

      const one = (await (await api(`/api/v4/leads/${id1}`, token)).json()) as Item & {
        _embedded: { tags: unknown[] };
      };
      expect(one).toMatchObject({
        id: id1,
        price: 5000,
        closed_at: null,
        account_id: amo.getAccount().id,
        custom_fields_values: [
          { field_id: orderField.id, field_code: 'ORDER_ID', values: [{ value: 'order-1' }] },
        ],
        _links: { self: { href: `${amo.url}/api/v4/leads/${id1}` } },
      });
      expect(one._embedded.tags).toEqual([expect.objectContaining({ name: 'vpos' })]);
      expect((await api(`/api/v4/leads/${id2}`, token)).status).toBe(200);
      expect(one.custom_fields_values).not.toBeNull();
      expect((await api('/api/v4/leads/999', token)).status).toBe(204);

      const search = (await (await api('/api/v4/leads?query=order-1', token)).json()) as HalList;
      expect(search._embedded.leads.map((l) => l.id)).toEqual([id1]);
      const byField = await api(
        `/api/v4/leads?filter[custom_fields_values][${orderField.id}][]=order-1`,
        token,
      );
      expect(((await byField.json()) as HalList)._embedded.leads).toHaveLength(1);
      expect((await api('/api/v4/leads?filter[price][from]=6000', token)).status).toBe(204);

      const page1 = (await (await api('/api/v4/leads?limit=1', token)).json()) as HalList;
      expect(page1._page).toBe(1);
      expect(page1._embedded.leads).toHaveLength(1);
      expect(page1._links.next.href).toContain('page=2');
      const clamped = (await (await api('/api/v4/leads?limit=1000', token)).json()) as HalList;
      expect(clamped._links.self.href).toContain('limit=250');

      const pipeline = amo.listPipelines()[0];
      const single = await post(`/api/v4/leads/${id1}`, token, { status_id: 142 }, 'PATCH');
      expect(single.status).toBe(200);
      expect(await single.json()).toMatchObject({ id: id1, updated_at: expect.any(Number) });
      expect(amo.getLead(id1)).toMatchObject({ status_id: 142, pipeline_id: pipeline.id });
      expect(amo.getLead(id1)?.closed_at).toEqual(expect.any(Number));

      const batch = await post(
        '/api/v4/leads',
        token,
        [{ id: id2, status_id: 143, loss_reason_id: 5, tags_to_add: [{ name: 'paid' }] }],
        'PATCH',
      );
      expect(batch.status).toBe(200);
      expect(amo.getLead(id2)).toMatchObject({ status_id: 143, loss_reason_id: 5 });
      const won = await api(
        `/api/v4/leads?filter[statuses][0][pipeline_id]=${pipeline.id}&filter[statuses][0][status_id]=142`,
        token,
      );
      expect(((await won.json()) as HalList)._embedded.leads.map((l) => l.id)).toEqual([id1]);
      expect(amo.counters()).toMatchObject({ leadsCreated: 2, leadsUpdated: 2 });
    });

    it('lets query search lag behind writes when a test sets a lag, GET by id never', async () => {
      const ids = async (q: string): Promise<number[]> => {
        const res = await api(`/api/v4/leads?query=${q}`, token);
        return res.status === 204
          ? []
          : ((await res.json()) as HalList)._embedded.leads.map((l) => l.id);
      };
      const old = amo.createLead({ name: 'before-lag' });
      amo.setSearchLag(5000);
      const created = await post('/api/v4/leads', token, [{ name: 'lagging-lead' }]);
      const [{ id }] = ((await created.json()) as HalList)._embedded.leads;
      expect((await api(`/api/v4/leads/${id}`, token)).status).toBe(200);
      expect(await ids('lagging')).toEqual([]);
      await post(`/api/v4/leads/${old.id}`, token, { name: 'renamed-lead' }, 'PATCH');
      expect(await ids('before-lag')).toEqual([old.id]);
      expect(await ids('renamed')).toEqual([]);
      amo.advanceClock(6);
      expect(await ids('lagging')).toEqual([id]);
      expect(await ids('renamed')).toEqual([old.id]);
      expect(await ids('before-lag')).toEqual([]);
      amo.reset();
      amo.setRateLimit(0);
      token = amo.issueTokens().access_token;
      const fresh = amo.createLead({ name: 'no-lag-lead' });
      expect(await ids('no-lag')).toEqual([fresh.id]);
    });

    it('answers 400 validation-errors and applies nothing when any item is invalid', async () => {
      const res = await post('/api/v4/leads', token, [
        { name: 'ok' },
        { name: 'bad', custom_fields_values: [{ field_id: 1, values: [{ value: 'x' }] }] },
      ]);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toEqual({
        'validation-errors': [
          {
            request_id: '1',
            errors: [
              {
                code: 'NotSupportedChoice',
                path: 'custom_fields_values.0.field_id',
                detail: 'The value you selected is not a valid choice.',
              },
            ],
          },
        ],
        title: 'Bad Request',
        type: 'https://httpstatus.es/400',
        status: 400,
        detail: 'Request validation failed',
      });
      expect(amo.listLeads()).toHaveLength(0);

      const loss = await post('/api/v4/leads', token, [{ name: 'x', loss_reason_id: 3 }]);
      expect(((await loss.json()) as ValidationBody)['validation-errors'][0].errors[0].path).toBe(
        'loss_reason_id',
      );
      expect((await post('/api/v4/leads', token, { name: 'not an array' })).status).toBe(400);
      expect((await post('/api/v4/leads/12345', token, { name: 'x' }, 'PATCH')).status).toBe(404);
    });

    it('adds and lists notes per lead and across leads', async () => {
      const lead = amo.createLead({ name: 'With notes' });
      expect((await api(`/api/v4/leads/${lead.id}/notes`, token)).status).toBe(204);
      const first = await post(`/api/v4/leads/${lead.id}/notes`, token, [
        { note_type: 'common', params: { text: 'Payment #123 verified, 500 RUB' } },
      ]);
      expect(first.status).toBe(200);
      expect(((await first.json()) as HalList)._embedded.notes[0]).toMatchObject({
        entity_id: lead.id,
        request_id: '0',
      });
      const common = await post('/api/v4/leads/notes', token, [
        { entity_id: lead.id, note_type: 'service_message', params: { service: 'hub', text: 'x' } },
      ]);
      expect(common.status).toBe(200);
      const list = (await (
        await api('/api/v4/leads/notes?filter[note_type]=common', token)
      ).json()) as HalList;
      expect(list._embedded.notes).toEqual([
        expect.objectContaining({
          note_type: 'common',
          params: { text: 'Payment #123 verified, 500 RUB' },
        }),
      ]);
      expect(amo.listNotes(lead.id)).toHaveLength(2);
      const invalid = await post('/api/v4/leads/notes', token, [
        { entity_id: 42, note_type: 'common', params: { text: 'x' } },
      ]);
      expect(invalid.status).toBe(400);
    });

    it('serves pipelines with 142/143 and custom fields', async () => {
      expect((await api('/api/v4/leads/custom_fields', token)).status).toBe(204);
      amo.createPipeline({ name: 'Online', statuses: [{ name: 'Awaiting payment' }] });
      amo.createCustomField({
        name: 'Channel',
        type: 'select',
        enums: [{ value: 'web' }, { value: 'pos' }],
      });
      const pipelines = (await (await api('/api/v4/leads/pipelines', token)).json()) as HalList;
      expect(pipelines._embedded.pipelines).toHaveLength(2);
      const statuses = (
        pipelines._embedded.pipelines[1]._embedded as { statuses: Item[] }
      ).statuses.map((s) => s.id);
      expect(statuses).toEqual(expect.arrayContaining([142, 143]));
      const fields = (await (await api('/api/v4/leads/custom_fields', token)).json()) as HalList;
      expect(fields._embedded.custom_fields[0]).toMatchObject({
        type: 'select',
        entity_type: 'leads',
      });
      const created = await post('/api/v4/leads/custom_fields', token, [
        { name: 'Payment ID', type: 'text', code: 'PAYMENT_ID' },
      ]);
      expect(created.status).toBe(200);
      expect(amo.listCustomFields().map((f) => f.code)).toContain('PAYMENT_ID');
    });
  });

  describe('limits and faults', () => {
    it('answers 429 with a non-JSON body above the per-integration rate', async () => {
      const token = amo.issueTokens().access_token;
      amo.setRateLimit(3);
      const statuses: number[] = [];
      let body = '';
      for (let i = 0; i < 5; i += 1) {
        const res = await api('/api/v4/account', token);
        statuses.push(res.status);
        if (res.status === 429) body = await res.text();
        else await res.text();
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses).toContain(429);
      expect(() => JSON.parse(body) as unknown).toThrow();
      expect(amo.counters().rateLimited).toBeGreaterThan(0);
    });

    it('injects failures, the 403 HTML block page, and blocks the token endpoint too', async () => {
      const token = amo.issueTokens().access_token;
      amo.injectFaults({ count: 2, status: 503 });
      expect((await api('/api/v4/account', token)).status).toBe(503);
      expect((await api('/api/v4/account', token)).status).toBe(503);
      expect((await api('/api/v4/account', token)).status).toBe(200);

      amo.injectFaults({ status: 403, method: 'POST', pathIncludes: '/notes' });
      const lead = amo.createLead({ name: 'x' });
      const blockedNote = await post(`/api/v4/leads/${lead.id}/notes`, token, [
        { note_type: 'common', params: { text: 'x' } },
      ]);
      expect(blockedNote.status).toBe(403);
      expect(blockedNote.headers.get('content-type')).toContain('text/html');

      amo.setBlocked(true);
      expect((await api('/api/v4/account', token)).status).toBe(403);
      expect((await refreshGrant('whatever')).status).toBe(403);
      amo.setBlocked(false);
      expect((await api('/api/v4/account', token)).status).toBe(200);
    });

    it('exposes controls over HTTP', async () => {
      const post = (path: string, body: unknown = {}): Promise<Response> =>
        fetch(`${amo.url}/_emulator${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const tokens = (await (await post('/tokens')).json()) as AmoIssuedTokens;
      await post('/leads', { name: 'via control' });
      const leads = (await (await fetch(`${amo.url}/_emulator/leads`)).json()) as unknown[];
      expect(leads).toHaveLength(1);
      expect(await (await post('/tokens/expire', { token: tokens.access_token })).json()).toEqual({
        expired: 1,
      });
      expect((await api('/api/v4/account', tokens.access_token)).status).toBe(401);
      await post('/faults', { status: 500, scope: 'oauth' });
      expect((await refreshGrant(tokens.refresh_token)).status).toBe(500);
      const counters = (await (
        await fetch(`${amo.url}/_emulator/counters`)
      ).json()) as AmocrmCounters;
      expect(counters).toMatchObject({ unauthorized: 1, faults: 1 });
      await post('/reset');
      expect(amo.listLeads()).toHaveLength(0);
      expect((await post('/pipelines', { name: '' })).status).toBe(400);
    });
  });
});
