import {
  startBitrix24Emulator,
  type Bitrix24Emulator,
  type TokenResponse,
} from './bitrix24-emulator';

const CLIENT_ID = 'local.test.000001';
const CLIENT_SECRET = 'test-secret';
const REDIRECT = 'http://127.0.0.1:9/oauth/bitrix24/callback';

let b24: Bitrix24Emulator;

/** Status and parsed JSON body (typed loosely on purpose: tests poke at any field). */
async function http(url: string, init: RequestInit = {}) {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

type Reply = Awaited<ReturnType<typeof http>>;

/** A REST call: POST JSON to `<base><method>`; `auth` goes in the body. */
function call(method: string, params: object = {}, base = `${b24.url}/rest/`): Promise<Reply> {
  return http(`${base}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
}

function control(path: string, method = 'GET', body?: object): Promise<Reply> {
  return http(`${b24.url}/_emulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function token(query: Record<string, string>): Promise<Reply> {
  return http(`${b24.oauthServerUrl}/oauth/token/?${new URLSearchParams(query).toString()}`);
}

async function authorizeViaHttp(state: string, portalBase = b24.url): Promise<URL> {
  const res = await fetch(`${portalBase}/oauth/authorize/?client_id=${CLIENT_ID}&state=${state}`, {
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

beforeAll(async () => {
  b24 = await startBitrix24Emulator({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT,
    portals: [
      {
        name: 'acme',
        memberId: 'member-acme',
        userFields: [{ fieldName: 'PAYMENT_ID', label: 'Payment id' }],
        categories: [{ id: 1, name: 'Online payments' }],
        webhooks: [{ userId: 1, code: 'hookcode1' }],
      },
    ],
  });
});

afterAll(async () => {
  await b24.close();
});

beforeEach(() => {
  b24.reset();
});

describe('OAuth', () => {
  it('shows a consent page, redirects with the A1 params and exchanges the code once', async () => {
    const page = await fetch(`${b24.url}/oauth/authorize/?client_id=${CLIENT_ID}&state=s1`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="approve"');

    const approved = await fetch(`${b24.url}/oauth/authorize/`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `client_id=${CLIENT_ID}&state=s1&approve=Y`,
    });
    expect(approved.status).toBe(302);
    const location = new URL(approved.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    const q = Object.fromEntries(location.searchParams);
    expect(q).toEqual({
      code: expect.any(String),
      state: 's1',
      domain: b24.portal().domain,
      member_id: 'member-acme',
      scope: 'crm,user',
      server_domain: new URL(b24.url).host,
    });

    const grant = { grant_type: 'authorization_code', client_id: CLIENT_ID, code: q.code };
    const wrongSecret = await token({ ...grant, client_secret: 'nope' });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.error).toBe('invalid_client');

    const ok = await token({ ...grant, client_secret: CLIENT_SECRET });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      access_token: expect.any(String),
      expires: expect.any(Number),
      expires_in: 3600,
      scope: 'crm,user',
      domain: new URL(b24.url).host,
      server_endpoint: `${b24.url}/rest/`,
      status: 'L',
      client_endpoint: `${b24.url}/rest/`,
      member_id: 'member-acme',
      user_id: 1,
      refresh_token: expect.any(String),
    });

    const reused = await token({ ...grant, client_secret: CLIENT_SECRET });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    expect(b24.counters().oauth).toMatchObject({ authorizations: 1, codeExchanges: 1, errors: 2 });
  });

  it('auto-approves through the control route, and a code dies after 30 s', async () => {
    expect((await control('/auto-approve', 'POST', { enabled: true })).body).toEqual({
      autoApprove: true,
    });
    const location = await authorizeViaHttp('s2');
    b24.advanceClock(31_000);
    const late = await token({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      code: location.searchParams.get('code') ?? '',
    });
    expect(late.status).toBe(400);
    expect(late.body).toEqual({
      error: 'invalid_grant',
      error_description: 'The authorization code has expired',
    });
  });

  it('rotates refresh tokens: the old refresh and access tokens stop working', async () => {
    const first = b24.issueTokens();
    const refresh = (t: string) =>
      http(`${b24.oauthServerUrl}/oauth/token/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          refresh_token: t,
        }).toString(),
      });
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    const pair = second.body as TokenResponse;
    expect(pair.refresh_token).not.toBe(first.refresh_token);
    expect(pair.expires).toBeGreaterThan(Date.now() / 1000);

    expect((await refresh(first.refresh_token)).body.error).toBe('invalid_grant');
    const old = await call('profile', { auth: first.access_token });
    expect(old).toEqual({
      status: 401,
      body: { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' },
    });
    expect((await call('profile', { auth: pair.access_token })).body.result.ID).toBe('1');

    expect(
      (await control('/tokens/revoke', 'POST', { refreshToken: pair.refresh_token })).body,
    ).toEqual({ revoked: true });
    expect((await refresh(pair.refresh_token)).status).toBe(400);
  });

  it('answers 401 expired_token after the hour or when a control expires the token', async () => {
    const a = b24.issueTokens();
    const b = b24.issueTokens();
    expect((await control('/tokens/expire', 'POST', { accessToken: a.access_token })).body).toEqual(
      { expired: 1 },
    );
    const expired = await call('crm.deal.list', { auth: a.access_token });
    expect(expired).toEqual({
      status: 401,
      body: { error: 'expired_token', error_description: 'The access token provided has expired.' },
    });
    expect((await call('crm.deal.list', { auth: b.access_token })).status).toBe(200);
    b24.advanceClock(3600_000);
    expect((await call('crm.deal.list', { auth: b.access_token })).body.error).toBe(
      'expired_token',
    );
    expect(b24.counters().authFailures).toBe(2);
  });
});

describe('deals over OAuth', () => {
  let auth: string;
  beforeEach(() => {
    auth = b24.issueTokens().access_token;
  });

  it('adds, reads (stringly typed) and updates a deal; FIELDS or fields, .json optional', async () => {
    const added = await call('crm.deal.add.json', {
      auth,
      FIELDS: {
        TITLE: 'Order 42',
        OPPORTUNITY: 1500.5,
        CURRENCY_ID: 'AMD',
        ORIGINATOR_ID: 'vpos-hub',
        ORIGIN_ID: 'order-42',
        UF_CRM_PAYMENT_ID: 'ps_1',
      },
    });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({
      result: 1,
      time: expect.objectContaining({ duration: expect.any(Number) }),
    });
    expect(Object.keys(added.body.time)).toEqual([
      'start',
      'finish',
      'duration',
      'processing',
      'date_start',
      'date_finish',
      'operating_reset_at',
      'operating',
    ]);

    const got = await http(`${b24.url}/rest/crm.deal.get?id=1&auth=${auth}`);
    expect(got.body.result).toMatchObject({
      ID: '1',
      TITLE: 'Order 42',
      OPPORTUNITY: '1500.50',
      CURRENCY_ID: 'AMD',
      CATEGORY_ID: '0',
      STAGE_ID: 'NEW',
      STAGE_SEMANTIC_ID: 'P',
      IS_NEW: 'Y',
      CLOSED: 'N',
      ORIGIN_ID: 'order-42',
      ORIGINATOR_ID: 'vpos-hub',
      UF_CRM_PAYMENT_ID: 'ps_1',
      COMPANY_ID: null,
      ASSIGNED_BY_ID: '1',
    });
    expect(got.body.result.DATE_CREATE).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);

    const form = await http(`${b24.url}/rest/crm.deal.update`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `auth=${auth}&id=1&fields[STAGE_ID]=WON&fields[COMMENTS]=paid`,
    });
    expect(form.body.result).toBe(true);
    expect(b24.getDeal(1)).toMatchObject({
      STAGE_ID: 'WON',
      STAGE_SEMANTIC_ID: 'S',
      CLOSED: 'Y',
      IS_NEW: 'N',
      COMMENTS: 'paid',
    });
  });

  it('answers validation errors with HTTP 400 and an empty error code', async () => {
    const cases: Array<[string, object, string]> = [
      ['crm.deal.add', {}, "Parameter 'fields' must be array."],
      [
        'crm.deal.add',
        { fields: { CURRENCY_ID: 'XXX' } },
        'Invalid value for the "Currency" field',
      ],
      [
        'crm.deal.add',
        { fields: { STAGE_ID: 'C1:NEW' } },
        'Invalid value for the "Deal stage" field',
      ],
      ['crm.deal.get', { id: 'abc' }, 'ID is not defined or invalid.'],
      ['crm.deal.get', { id: 99 }, 'Not found'],
      ['crm.deal.update', { id: 99, fields: { TITLE: 'x' } }, 'Not found'],
      ['crm.deal.list', { filter: 'ID=1' }, "Parameter 'filter' must be array."],
    ];
    for (const [method, params, description] of cases) {
      const reply = await call(method, { auth, ...params });
      expect({ method, ...reply }).toEqual({
        method,
        status: 400,
        body: { error: '', error_description: description },
      });
    }
  });

  it('lists with filter prefixes, select, order and pages of 50 with total/next', async () => {
    for (let i = 1; i <= 120; i++) {
      b24.createDeal({
        TITLE: `Deal ${i}`,
        OPPORTUNITY: i * 10,
        ORIGIN_ID: i % 2 === 0 ? `order-${i}` : '',
        CATEGORY_ID: i > 100 ? 1 : 0,
        STAGE_ID: i > 100 ? 'C1:WON' : 'NEW',
      });
    }
    const first = await call('crm.deal.list', { auth, select: ['ID', 'TITLE'] });
    expect(first.body.result).toHaveLength(50);
    expect(first.body.total).toBe(120);
    expect(first.body.next).toBe(50);
    expect(Object.keys(first.body.result[0])).toEqual(['ID', 'TITLE']);
    const last = await call('crm.deal.list', { auth, start: 100 });
    expect(last.body.result).toHaveLength(20);
    expect(last.body.next).toBeUndefined();
    expect(last.body.result[0]).toHaveProperty('UF_CRM_PAYMENT_ID');
    expect(last.body.result[0]).not.toHaveProperty('CONTACT_IDS');

    const ids = async (filter: object, order?: object): Promise<string[]> => {
      const reply = await call('crm.deal.list', { auth, filter, order, select: ['ID'] });
      expect(reply.status).toBe(200);
      return reply.body.result.map((d: { ID: string }) => d.ID);
    };
    expect(await ids({ ORIGIN_ID: 'order-42' })).toEqual(['42']);
    expect(await ids({ '=ORIGIN_ID': 'ORDER-42' })).toEqual(['42']);
    expect(await ids({ '>OPPORTUNITY': 1170 })).toEqual(['118', '119', '120']);
    expect(await ids({ '>=OPPORTUNITY': '1180', '<=OPPORTUNITY': 1190 })).toEqual(['118', '119']);
    expect(await ids({ '<OPPORTUNITY': 30 })).toEqual(['1', '2']);
    expect(await ids({ '@ID': [3, '5', 7] })).toEqual(['3', '5', '7']);
    expect(await ids({ '!@ID': [1, 2], '<ID': 5 })).toEqual(['3', '4']);
    expect(await ids({ '%TITLE': 'al 11', '<ID': 115 })).toEqual([
      '11',
      '110',
      '111',
      '112',
      '113',
      '114',
    ]);
    expect(await ids({ '=%TITLE': 'Deal 1_' })).toHaveLength(10);
    expect(await ids({ CATEGORY_ID: 1, STAGE_ID: 'C1:WON', '!ID': 101, '<ID': 104 })).toEqual([
      '102',
      '103',
    ]);
    expect(await ids({ '!=STAGE_ID': 'NEW', '%STAGE_ID': 'WON' }, { ID: 'DESC' })).toHaveLength(0);
    expect(await ids({ '<ID': 4 }, { OPPORTUNITY: 'DESC' })).toEqual(['3', '2', '1']);
    expect(await ids({ ORIGIN_ID: '', '<ID': 6 })).toEqual(['1', '3', '5']);
    const semantics = await call('crm.deal.list', {
      auth,
      filter: { STAGE_SEMANTIC_ID: 'S' },
      select: ['ID', 'CLOSED'],
    });
    expect(semantics.body.total).toBe(20);
    expect(semantics.body.result[0]).toEqual({ ID: '101', CLOSED: 'Y' });
  });

  it('describes fields, user fields included, and adds user fields over REST', async () => {
    const added = await call('crm.deal.userfield.add', {
      auth,
      fields: { FIELD_NAME: 'MANAGER_NOTE', USER_TYPE_ID: 'string' },
    });
    expect(added.body.result).toEqual(expect.any(Number));
    const fields = (await call('crm.deal.fields', { auth })).body.result;
    expect(fields.ORIGIN_ID).toEqual({
      type: 'string',
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Identifier in External Source',
    });
    expect(fields.STAGE_ID.statusType).toBe('DEAL_STAGE');
    expect(fields.CATEGORY_ID.isImmutable).toBe(true);
    expect(fields.UF_CRM_PAYMENT_ID).toMatchObject({ isDynamic: true, listLabel: 'Payment id' });
    expect(fields.UF_CRM_MANAGER_NOTE).toMatchObject({ type: 'string', isDynamic: true });
  });

  it('lists pipelines and stages with semantics', async () => {
    const categories = await call('crm.category.list', { auth, entityTypeId: 2 });
    expect(categories.body.result.categories.map((c: { id: number }) => c.id)).toEqual([0, 1]);
    expect(categories.body.result.categories[0]).toMatchObject({ isDefault: 'Y', entityTypeId: 2 });
    expect(categories.body.total).toBe(2);
    const legacy = await call('crm.dealcategory.list', { auth });
    expect(legacy.body.result).toEqual([
      expect.objectContaining({ ID: '1', NAME: 'Online payments', IS_LOCKED: 'N' }),
    ]);
    const stages = await call('crm.dealcategory.stage.list', { auth, id: 1 });
    expect(stages.body.result.map((s: { STATUS_ID: string }) => s.STATUS_ID)).toEqual([
      'C1:NEW',
      'C1:PREPARATION',
      'C1:PREPAYMENT_INVOICE',
      'C1:EXECUTING',
      'C1:FINAL_INVOICE',
      'C1:WON',
      'C1:LOSE',
      'C1:APOLOGY',
    ]);
    const statuses = await call('crm.status.list', {
      auth,
      filter: { ENTITY_ID: 'DEAL_STAGE' },
      order: { SORT: 'ASC' },
    });
    expect(statuses.body.total).toBe(8);
    expect(statuses.body.result[5]).toMatchObject({
      STATUS_ID: 'WON',
      SEMANTICS: 'S',
      EXTRA: { SEMANTICS: 'success', COLOR: '#7BD500' },
    });
    const c1 = await call('crm.status.list', { auth, filter: { ENTITY_ID: 'DEAL_STAGE_1' } });
    expect(c1.body.result[6]).toMatchObject({
      STATUS_ID: 'C1:LOSE',
      SEMANTICS: 'F',
      CATEGORY_ID: '1',
    });
    const custom = b24.addCategory({
      name: 'Custom',
      stages: [{ statusId: 'UC_PAID', name: 'Paid', semantics: 'S' }],
    });
    expect(custom).toEqual({ id: 2, name: 'Custom', stages: ['C2:UC_PAID', 'C2:LOSE'] });
  });

  it('adds and lists timeline comments; only lowercase `fields` is accepted', async () => {
    b24.createDeal({ TITLE: 'With notes' });
    const ok = await call('crm.timeline.comment.add', {
      auth,
      fields: { ENTITY_ID: 1, ENTITY_TYPE: 'deal', COMMENT: 'Payment verified: 1500 AMD' },
    });
    expect(ok.body.result).toBe(1);
    const upper = await call('crm.timeline.comment.add', {
      auth,
      FIELDS: { ENTITY_ID: 1, ENTITY_TYPE: 'deal', COMMENT: 'x' },
    });
    expect(upper.status).toBe(400);
    const noOwner = await call('crm.timeline.comment.add', {
      auth,
      fields: { ENTITY_ID: 7, ENTITY_TYPE: 'deal', COMMENT: 'x' },
    });
    expect(noOwner.body.error).toBe('OWNER_NOT_FOUND');
    const empty = await call('crm.timeline.comment.add', {
      auth,
      fields: { ENTITY_ID: 1, ENTITY_TYPE: 'deal', COMMENT: ' ' },
    });
    expect(empty.body.error).toBe('INVALID_ARG_VALUE');

    const list = await call('crm.timeline.comment.list', {
      auth,
      filter: { ENTITY_ID: 1, ENTITY_TYPE: 'deal' },
    });
    expect(list.body).toMatchObject({
      total: 1,
      result: [{ ID: '1', ENTITY_ID: '1', ENTITY_TYPE: 'deal', AUTHOR_ID: '1', FILES: {} }],
    });
    expect(b24.listComments({ entityId: 1 })).toHaveLength(1);
    expect((await control('/portals/acme/comments?entityId=2')).body).toEqual([]);
  });

  it('answers unknown methods and missing scopes', async () => {
    expect(await call('crm.nothing.here', { auth })).toEqual({
      status: 404,
      body: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
    });
    expect((await call('crm.deal.list', {})).body.error).toBe('NO_AUTH_FOUND');
    const hook = b24.createWebhook({ scope: 'user' });
    expect((await call('crm.deal.list', {}, hook.url)).body.error).toBe('insufficient_scope');
    expect((await call('user.current', {}, hook.url)).body.result.ID).toBe('1');
    expect((await call('app.info', { auth })).body.result).toMatchObject({
      CODE: CLIENT_ID,
      STATUS: 'L',
    });
  });
});

describe('incoming webhooks', () => {
  it('serves /rest/<user>/<code>/<method> and rejects unknown codes', async () => {
    const base = `${b24.url}/rest/1/hookcode1/`;
    const added = await call('crm.deal.add.json', { fields: { TITLE: 'via webhook' } }, base);
    expect(added.body.result).toBe(1);
    expect((await http(`${base}crm.deal.get?id=1`)).body.result.TITLE).toBe('via webhook');
    expect((await call('profile', {}, `${b24.url}/rest/1/wrongcode/`)).body).toEqual({
      error: 'NO_AUTH_FOUND',
      error_description: 'Wrong authorization data',
    });
    expect((await call('profile', {}, `${b24.url}/rest/2/hookcode1/`)).status).toBe(401);
    expect((await call('app.info', {}, base)).body.error).toBe('WRONG_AUTH_TYPE');
  });
});

describe('batch', () => {
  it('chains $result references, collects errors and prints empty maps as []', async () => {
    const { access_token: auth } = b24.issueTokens();
    const reply = await call('batch', {
      auth,
      halt: 0,
      cmd: {
        add: 'crm.deal.add?fields[TITLE]=Batch%20deal&fields[OPPORTUNITY]=10',
        get: 'crm.deal.get?id=$result[add]',
        note: 'crm.timeline.comment.add?fields[ENTITY_TYPE]=deal&fields[ENTITY_ID]=$result[add]&fields[COMMENT]=hi',
        list: 'crm.deal.list?filter[ID]=$result[get][ID]&select[]=ID&select[]=TITLE',
        bad: 'crm.deal.get?id=999',
        nested: 'batch?cmd[x]=profile',
      },
    });
    expect(reply.status).toBe(200);
    const r = reply.body.result;
    expect(r.result.add).toBe(1);
    expect(r.result.get.TITLE).toBe('Batch deal');
    expect(r.result.note).toBe(1);
    expect(r.result.list).toEqual([{ ID: '1', TITLE: 'Batch deal' }]);
    expect(r.result_total).toEqual({ list: 1 });
    expect(r.result_next).toEqual([]);
    expect(r.result_error).toEqual({
      bad: { error: '', error_description: 'Not found' },
      nested: {
        error: 'ERROR_BATCH_METHOD_NOT_ALLOWED',
        error_description: 'Method is not allowed for batch usage',
      },
    });
    expect(Object.keys(r.result_time)).toEqual(['add', 'get', 'note', 'list']);
    expect(b24.counters()).toMatchObject({ requests: 1, batchSubCalls: 6 });

    const clean = await call('batch', { auth, cmd: ['profile', 'scope'] });
    expect(clean.body.result.result_error).toEqual([]);
    expect(clean.body.result.result[1]).toEqual(['crm', 'user']);
    expect(Array.isArray(clean.body.result.result)).toBe(true);
  });

  it('stops at the first error with halt=1 and caps a batch at 50 commands', async () => {
    const { access_token: auth } = b24.issueTokens();
    const halted = await call('batch', {
      auth,
      halt: 1,
      cmd: { a: 'crm.deal.get?id=5', b: 'crm.deal.add?fields[TITLE]=never' },
    });
    expect(Object.keys(halted.body.result.result_error)).toEqual(['a']);
    expect(b24.listDeals()).toHaveLength(0);

    const cmd: Record<string, string> = {};
    for (let i = 0; i < 52; i++) cmd[`c${i}`] = 'scope';
    const big = await call('batch', { auth, cmd });
    expect(Object.keys(big.body.result.result)).toHaveLength(50);
    expect(big.body.result.result_error).toEqual({
      c50: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
      c51: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
    });
  });
});

describe('limits and faults', () => {
  it('rejects with 503 QUERY_LIMIT_EXCEEDED when the bucket is full and drains at 2/s', async () => {
    const { access_token: auth } = b24.issueTokens();
    expect((await control('/portals/acme/bucket', 'PUT', { level: 49 })).body.level).toBeCloseTo(
      49,
      0,
    );
    expect((await call('profile', { auth })).status).toBe(200);
    const limited = await call('profile', { auth });
    expect(limited).toEqual({
      status: 503,
      body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' },
    });
    b24.advanceClock(1000);
    expect((await call('profile', { auth })).status).toBe(200);
    expect((await control('/counters?portal=acme')).body).toMatchObject({
      requests: 3,
      rejectedByBucket: 1,
    });
  });

  it('fills a small bucket with real requests; a batch counts once', async () => {
    const small = await startBitrix24Emulator({ bucketCapacity: 3, bucketDrainPerSecond: 0.001 });
    try {
      const { access_token: auth } = small.issueTokens();
      const base = `${small.url}/rest/`;
      const batch = { auth, cmd: { a: 'profile', b: 'profile', c: 'profile', d: 'profile' } };
      expect((await call('batch', batch, base)).status).toBe(200);
      expect((await call('profile', { auth }, base)).status).toBe(200);
      expect((await call('profile', { auth }, base)).status).toBe(200);
      expect((await call('profile', { auth }, base)).status).toBe(503);
      expect(small.counters()).toMatchObject({ requests: 4, rejectedByBucket: 1 });
    } finally {
      await small.close();
    }
  });

  it('injects 429 OPERATION_TIME_LIMIT for a method, also inside a batch', async () => {
    const { access_token: auth } = b24.issueTokens();
    await control('/faults', 'POST', {
      status: 429,
      error: 'OPERATION_TIME_LIMIT',
      method: 'crm.deal.add',
      count: 2,
    });
    const first = await call('crm.deal.add', { auth, fields: { TITLE: 'x' } });
    expect(first.status).toBe(429);
    expect(first.body.error).toBe('OPERATION_TIME_LIMIT');
    const inBatch = await call('batch', { auth, cmd: { a: 'crm.deal.add?fields[TITLE]=y' } });
    expect(inBatch.body.result.result_error.a.error).toBe('OPERATION_TIME_LIMIT');
    expect((await call('crm.deal.add', { auth, fields: { TITLE: 'z' } })).body.result).toBe(1);

    b24.injectFault({ status: 500, error: 'INTERNAL_SERVER_ERROR' });
    expect((await call('profile', { auth })).status).toBe(500);
    expect(b24.pendingFaults()).toEqual([]);
    expect(b24.counters().faultsInjected).toBe(3);
  });
});

describe('several portals', () => {
  it('serves extra portals under /p/<name> with their own tokens and data', async () => {
    const created = await control('/portals', 'POST', { name: 'beta', memberId: 'member-beta' });
    expect(created.body).toMatchObject({
      domain: `${new URL(b24.url).host}/p/beta`,
      clientEndpoint: `${b24.url}/p/beta/rest/`,
    });
    b24.setAutoApprove(true);
    const location = await authorizeViaHttp('s3', `${b24.url}/p/beta`);
    expect(location.searchParams.get('domain')).toBe(created.body.domain);
    expect(location.searchParams.get('member_id')).toBe('member-beta');
    const pair = await token({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      code: location.searchParams.get('code') ?? '',
    });
    expect(pair.body.client_endpoint).toBe(`${b24.url}/p/beta/rest/`);
    const auth = pair.body.access_token as string;
    expect(
      (await call('crm.deal.add', { auth, fields: { TITLE: 'beta' } }, pair.body.client_endpoint))
        .body.result,
    ).toBe(1);
    expect((await call('crm.deal.list', { auth })).body.error).toBe('NO_AUTH_FOUND');
    expect(b24.listDeals({ portal: 'beta' })).toHaveLength(1);
    expect(b24.listDeals()).toHaveLength(0);
    b24.reset({ config: true });
    expect(b24.listPortals().map((p) => p.name)).toEqual(['acme']);
  });
});

describe('configuration', () => {
  it('honours a short access-token lifetime and the invalid_token variant', async () => {
    const other = await startBitrix24Emulator({
      accessTokenTtlSeconds: 60,
      unknownTokenError: 'invalid_token',
      autoApprove: true,
      redirectUri: REDIRECT,
    });
    try {
      const pair = other.issueTokens();
      expect(pair.expires_in).toBe(60);
      const base = `${other.url}/rest/`;
      expect((await call('profile', { auth: 'garbage' }, base)).body).toEqual({
        error: 'invalid_token',
        error_description: 'The access token provided is invalid.',
      });
      other.advanceClock(61_000);
      expect((await call('profile', { auth: pair.access_token }, base)).body.error).toBe(
        'expired_token',
      );
      const bad = await fetch(`${other.url}/oauth/authorize/?client_id=someone-else`, {
        redirect: 'manual',
      });
      expect(bad.status).toBe(400);
      const foreign = await fetch(
        `${other.url}/oauth/authorize/?client_id=local.emulator.000001&redirect_uri=${encodeURIComponent('http://evil.example/cb')}`,
        { redirect: 'manual' },
      );
      expect(foreign.status).toBe(400);
    } finally {
      await other.close();
    }
  });

  it('accepts a batch sent as a double-encoded query string, and reset() drops data', async () => {
    const { access_token: auth } = b24.issueTokens();
    const cmd = encodeURIComponent('crm.deal.add?fields[TITLE]=From query');
    const reply = await http(`${b24.url}/rest/batch.json?auth=${auth}&halt=0&cmd[one]=${cmd}`);
    expect(reply.body.result.result).toEqual({ one: 1 });
    expect(b24.getDeal(1)?.TITLE).toBe('From query');
    expect((await control('/reset', 'POST', {})).body).toEqual({ ok: true });
    expect((await control('/portals/acme/deals')).body).toEqual([]);
    expect((await call('profile', { auth })).status).toBe(401);
  });
});
