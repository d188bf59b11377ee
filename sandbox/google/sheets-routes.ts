/**
 * Sheets API v4 routes (docs C1, C3, C5) served at the root so the emulator's URL works as the
 * googleapis `rootUrl`: spreadsheets.get/create and spreadsheets.values get/update/append/clear/
 * batchGet/batchUpdate, behind bearer auth, scope checks, sharing and the per-minute quotas.
 */
import type { GoogleState } from './google-state';
import { googleError, isObject, readPayload, sendJson } from './http-io';
import type { AccessRecord } from './google-oauth';
import { SHEETS_SCOPE } from './identity';
import { route, type RequestContext, type Route } from './route-table';
import {
  append,
  checkValues,
  clear,
  majorOf,
  parseRange,
  planUpdate,
  readValues,
  spreadsheetResource,
  type SpreadsheetData,
  type UpdateValuesResponse,
  type ValueInputOption,
  type ValueRenderOption,
} from './sheet-model';
import { headerValue } from './http-io';

const AUTH = 'https://www.googleapis.com/auth/';
const READ_SCOPES = [
  SHEETS_SCOPE,
  `${SHEETS_SCOPE}.readonly`,
  `${AUTH}drive`,
  `${AUTH}drive.readonly`,
  `${AUTH}drive.file`,
];
const WRITE_SCOPES = [SHEETS_SCOPE, `${AUTH}drive`, `${AUTH}drive.file`];
const SERVICE = 'sheets.googleapis.com';
const INVALID_CREDENTIALS =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

type Kind = 'read' | 'write';
type Handler = (ctx: RequestContext, caller: AccessRecord) => unknown;

const errorInfo = (reason: string, method: string): object => ({
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
  reason,
  domain: 'googleapis.com',
  metadata: { method: `google.apps.sheets.v4.SpreadsheetsService.${method}`, service: SERVICE },
});

function authenticate(
  state: GoogleState,
  ctx: RequestContext,
  kind: Kind,
  method: string,
): AccessRecord {
  const header = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(ctx.req, 'authorization') ?? '')?.[1];
  const token = header ?? ctx.url.searchParams.get('access_token') ?? undefined;
  const { record, reason } = state.oauth.lookup(token);
  if (reason === 'missing') {
    state.stats.forbidden += 1;
    throw googleError(403, 'The request is missing a valid API key.', {
      errors: [
        {
          message: 'The request is missing a valid API key.',
          domain: 'global',
          reason: 'forbidden',
        },
      ],
      details: [errorInfo('CREDENTIALS_MISSING', method)],
    });
  }
  if (!record) {
    state.stats.unauthorized += 1;
    throw googleError(
      401,
      INVALID_CREDENTIALS,
      {
        errors: [
          {
            message: 'Invalid Credentials',
            domain: 'global',
            reason: 'authError',
            location: 'Authorization',
            locationType: 'header',
          },
        ],
        details: [
          errorInfo(
            reason === 'expired' ? 'ACCESS_TOKEN_EXPIRED' : 'ACCESS_TOKEN_TYPE_UNSUPPORTED',
            method,
          ),
        ],
      },
      { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    );
  }
  const allowed = kind === 'write' ? WRITE_SCOPES : READ_SCOPES;
  if (!record.scopes.some((s) => allowed.includes(s))) {
    state.stats.forbidden += 1;
    throw googleError(403, 'Request had insufficient authentication scopes.', {
      errors: [
        { message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' },
      ],
      details: [errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', method)],
    });
  }
  return record;
}

function open(state: GoogleState, id: string, caller: AccessRecord): SpreadsheetData {
  const ss = state.spreadsheets.get(id);
  if (!ss) throw googleError(404, 'Requested entity was not found.');
  if (ss.access !== 'anyone' && !ss.access.has(caller.email)) {
    state.stats.forbidden += 1;
    throw googleError(403, 'The caller does not have permission', {
      errors: [
        { message: 'The caller does not have permission', domain: 'global', reason: 'forbidden' },
      ],
    });
  }
  return ss;
}

function inputOption(value: unknown): ValueInputOption {
  if (
    value === undefined ||
    value === null ||
    value === '' ||
    value === 'INPUT_VALUE_OPTION_UNSPECIFIED'
  ) {
    throw googleError(400, "'valueInputOption' is required but not specified");
  }
  if (value === 'RAW' || value === 'USER_ENTERED') return value;
  throw googleError(
    400,
    `Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), ${JSON.stringify(value)}`,
  );
}

function renderOption(value: unknown, name = 'value_render_option'): ValueRenderOption {
  if (value === undefined || value === null || value === '') return 'FORMATTED_VALUE';
  if (value === 'FORMATTED_VALUE' || value === 'UNFORMATTED_VALUE' || value === 'FORMULA')
    return value;
  throw googleError(
    400,
    `Invalid value at '${name}' (type.googleapis.com/google.apps.sheets.v4.ValueRenderOption), ${JSON.stringify(value)}`,
  );
}

function includeValues(
  ctx: RequestContext,
  body?: Record<string, unknown>,
): ValueRenderOption | undefined {
  const q = ctx.url.searchParams;
  const include = body?.includeValuesInResponse ?? q.get('includeValuesInResponse');
  if (include !== true && include !== 'true') return undefined;
  return renderOption(
    body?.responseValueRenderOption ?? q.get('responseValueRenderOption') ?? undefined,
    'response_value_render_option',
  );
}

function sameRange(ss: SpreadsheetData, a: string, b: string): boolean {
  const x = parseRange(ss, a);
  const y = parseRange(ss, b);
  return (
    x.sheet === y.sheet &&
    JSON.stringify({ ...x.range, sheet: 0 }) === JSON.stringify({ ...y.range, sheet: 0 })
  );
}

function countWrite(state: GoogleState, response: UpdateValuesResponse): void {
  state.stats.cellsWritten += response.updatedCells ?? 0;
}

export function buildSheetsRoutes(state: GoogleState): Route[] {
  const call = (
    method: string,
    pattern: RegExp,
    kind: Kind,
    name: string,
    handler: Handler,
  ): Route =>
    route(method, pattern, 'sheets', async (ctx) => {
      const caller = authenticate(state, ctx, kind, name);
      ctx.email = caller.email;
      state.checkQuota(kind, caller.email);
      if (kind === 'write') state.stats.writeRequests += 1;
      else state.stats.readRequests += 1;
      const body = await handler(ctx, caller);
      await state.beforeRespond?.({ method: name, spreadsheetId: ctx.params[0] });
      sendJson(ctx.res, 200, body);
    });
  const ID = '([A-Za-z0-9_-]+)';
  return [
    call('POST', /^\/v4\/spreadsheets$/, 'write', 'CreateSpreadsheet', async (ctx, caller) => {
      const body = await readPayload(ctx.req);
      const input = isObject(body) ? body : {};
      const props = isObject(input.properties) ? input.properties : {};
      const sheets = Array.isArray(input.sheets) ? input.sheets : [];
      const summary = state.createSpreadsheet(
        {
          title: typeof props.title === 'string' ? props.title : undefined,
          locale: typeof props.locale === 'string' ? props.locale : undefined,
          timeZone: typeof props.timeZone === 'string' ? props.timeZone : undefined,
          sheets: sheets.map((s: unknown, i) => {
            const p = isObject(s) && isObject(s.properties) ? s.properties : {};
            const grid = isObject(p.gridProperties) ? p.gridProperties : {};
            return {
              title: typeof p.title === 'string' ? p.title : `Sheet${i + 1}`,
              sheetId: typeof p.sheetId === 'number' ? p.sheetId : undefined,
              rowCount: typeof grid.rowCount === 'number' ? grid.rowCount : undefined,
              columnCount: typeof grid.columnCount === 'number' ? grid.columnCount : undefined,
            };
          }),
        },
        new Set([caller.email]),
      );
      return spreadsheetResource(open(state, summary.spreadsheetId, caller), state.url);
    }),
    call('GET', new RegExp(`^/v4/spreadsheets/${ID}$`), 'read', 'GetSpreadsheet', (ctx, caller) =>
      spreadsheetResource(open(state, ctx.params[0], caller), state.url),
    ),
    call(
      'GET',
      new RegExp(`^/v4/spreadsheets/${ID}/values(?::|%3A)batchGet$`, 'i'),
      'read',
      'BatchGetValues',
      (ctx, caller) => {
        const ss = open(state, ctx.params[0], caller);
        const q = ctx.url.searchParams;
        const option = renderOption(q.get('valueRenderOption') ?? undefined);
        const major = majorOf(q.get('majorDimension') ?? undefined);
        const ranges = q.getAll('ranges');
        if (ranges.length === 0) return { spreadsheetId: ss.spreadsheetId };
        return {
          spreadsheetId: ss.spreadsheetId,
          valueRanges: ranges.map((r) => readValues(ss, r, option, major)),
        };
      },
    ),
    call(
      'POST',
      new RegExp(`^/v4/spreadsheets/${ID}/values(?::|%3A)batchUpdate$`, 'i'),
      'write',
      'BatchUpdateValues',
      async (ctx, caller) => {
        const ss = open(state, ctx.params[0], caller);
        const raw = await readPayload(ctx.req);
        const body = isObject(raw) ? raw : {};
        const option = inputOption(body.valueInputOption);
        const include = includeValues(ctx, body);
        const data = Array.isArray(body.data) ? body.data : [];
        const plans = data.map((item: unknown, i) => {
          if (!isObject(item) || typeof item.range !== 'string') {
            throw googleError(400, `Invalid data[${i}]: range is required`);
          }
          return planUpdate(
            ss,
            item.range,
            checkValues(item.values, majorOf(item.majorDimension)),
            option,
            include,
          );
        });
        const responses = plans.map((p) => p.apply());
        responses.forEach((r) => countWrite(state, r));
        state.stats.updates += responses.length;
        const total = (key: 'updatedRows' | 'updatedColumns' | 'updatedCells'): number =>
          responses.reduce((n, r) => n + (r[key] ?? 0), 0);
        const totals = {
          totalUpdatedRows: total('updatedRows'),
          totalUpdatedColumns: total('updatedColumns'),
          totalUpdatedCells: total('updatedCells'),
          totalUpdatedSheets: new Set(plans.map((p) => p.sheet)).size,
        };
        return {
          spreadsheetId: ss.spreadsheetId,
          ...Object.fromEntries(Object.entries(totals).filter(([, v]) => v !== 0)),
          ...(responses.length > 0 ? { responses } : {}),
        };
      },
    ),
    call(
      'GET',
      new RegExp(`^/v4/spreadsheets/${ID}/values/([^/]+)$`),
      'read',
      'GetValues',
      (ctx, caller) => {
        const ss = open(state, ctx.params[0], caller);
        const q = ctx.url.searchParams;
        return readValues(
          ss,
          ctx.params[1],
          renderOption(q.get('valueRenderOption') ?? undefined),
          majorOf(q.get('majorDimension') ?? undefined),
        );
      },
    ),
    call(
      'PUT',
      new RegExp(`^/v4/spreadsheets/${ID}/values/([^/]+)$`),
      'write',
      'UpdateValues',
      async (ctx, caller) => {
        const ss = open(state, ctx.params[0], caller);
        const raw = await readPayload(ctx.req);
        const body = isObject(raw) ? raw : {};
        const option = inputOption(ctx.url.searchParams.get('valueInputOption') ?? undefined);
        const range = ctx.params[1];
        if (typeof body.range === 'string' && !sameRange(ss, body.range, range)) {
          throw googleError(
            400,
            `Invalid ValueRange: the range in the body [${body.range}] does not match the range in the URL [${range}]`,
          );
        }
        const rows = checkValues(body.values, majorOf(body.majorDimension));
        const response = planUpdate(ss, range, rows, option, includeValues(ctx)).apply();
        countWrite(state, response);
        state.stats.updates += 1;
        return response;
      },
    ),
    call(
      'POST',
      new RegExp(`^/v4/spreadsheets/${ID}/values/([^/]+?)(?::|%3A)append$`, 'i'),
      'write',
      'AppendValues',
      async (ctx, caller) => {
        const ss = open(state, ctx.params[0], caller);
        const raw = await readPayload(ctx.req);
        const body = isObject(raw) ? raw : {};
        const q = ctx.url.searchParams;
        const option = inputOption(q.get('valueInputOption') ?? undefined);
        const insert = q.get('insertDataOption') ?? 'OVERWRITE';
        if (insert !== 'OVERWRITE' && insert !== 'INSERT_ROWS') {
          throw googleError(
            400,
            `Invalid value at 'insert_data_option' (type.googleapis.com/google.apps.sheets.v4.InsertDataOption), "${insert}"`,
          );
        }
        const rows = checkValues(body.values, majorOf(body.majorDimension));
        const result = append(ss, ctx.params[1], rows, option, insert, includeValues(ctx));
        countWrite(state, result.updates);
        state.stats.appends += 1;
        return result;
      },
    ),
    call(
      'POST',
      new RegExp(`^/v4/spreadsheets/${ID}/values/([^/]+?)(?::|%3A)clear$`, 'i'),
      'write',
      'ClearValues',
      async (ctx, caller) => {
        const ss = open(state, ctx.params[0], caller);
        await readPayload(ctx.req);
        return { spreadsheetId: ss.spreadsheetId, clearedRange: clear(ss, ctx.params[1]) };
      },
    ),
  ];
}
