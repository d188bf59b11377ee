// Only the Sheets API: the googleapis index costs ~110 MB resident, this module and auth ~18 MB.
import { sheets_v4 } from 'googleapis/build/src/apis/sheets';
import type { OAuthAuth } from '../shared/oauth-auth';
import { classifySheetsError } from './google-sheets.errors';
import type { Cell } from './google-sheets.mapper';
import { ServiceAccountKey, serviceAccountToken } from './google-sheets.service-account';

export type SheetsAuth =
  { mode: 'service_account'; key: ServiceAccountKey; tokenUrl: string } | OAuthAuth;

export interface SheetTab {
  sheetId: number;
  title: string;
}

/** Service-account tokens live an hour; one per key and token URL, shared by the process. */
const saTokens = new Map<string, { accessToken: string; expiresAt: number }>();
const SA_MARGIN_MS = 5 * 60_000;

// googleapis' retries are off: a blind retry of an append duplicates; retrying is the engine's call.
export class SheetsClient {
  private readonly api: sheets_v4.Sheets;
  private token: string | undefined;

  constructor(
    rootUrl: string,
    private readonly auth: SheetsAuth,
    private readonly pace?: () => Promise<void>,
  ) {
    this.api = new sheets_v4.Sheets({
      rootUrl: `${rootUrl.replace(/\/+$/, '')}/`,
      retry: false,
      timeout: 30_000,
      fetchImplementation: fetch,
    });
    this.token = auth.mode === 'oauth' ? auth.first : undefined;
  }

  async tabs(spreadsheetId: string): Promise<SheetTab[]> {
    const res = await this.call((headers) =>
      this.api.spreadsheets.get(
        { spreadsheetId, fields: 'sheets.properties(sheetId,title)' },
        { headers },
      ),
    );
    return (res.data.sheets ?? []).map((s) => ({
      sheetId: s.properties?.sheetId ?? 0,
      title: s.properties?.title ?? '',
    }));
  }

  async get(spreadsheetId: string, range: string): Promise<unknown[][]> {
    const res = await this.call((headers) =>
      this.api.spreadsheets.values.get(
        { spreadsheetId, range, valueRenderOption: 'UNFORMATTED_VALUE' },
        { headers },
      ),
    );
    return (res.data.values ?? []) as unknown[][];
  }

  async batchGet(spreadsheetId: string, ranges: string[]): Promise<unknown[][][]> {
    const res = await this.call((headers) =>
      this.api.spreadsheets.values.batchGet(
        { spreadsheetId, ranges, valueRenderOption: 'UNFORMATTED_VALUE' },
        { headers },
      ),
    );
    return (res.data.valueRanges ?? []).map((v) => (v.values ?? []) as unknown[][]);
  }

  async update(spreadsheetId: string, range: string, values: Cell[][]): Promise<void> {
    await this.call((headers) =>
      this.api.spreadsheets.values.update(
        { spreadsheetId, range, valueInputOption: 'RAW', requestBody: { range, values } },
        { headers },
      ),
    );
  }

  async batchUpdate(
    spreadsheetId: string,
    data: Array<{ range: string; values: Cell[][] }>,
  ): Promise<void> {
    await this.call((headers) =>
      this.api.spreadsheets.values.batchUpdate(
        { spreadsheetId, requestBody: { valueInputOption: 'RAW', data } },
        { headers },
      ),
    );
  }

  async append(spreadsheetId: string, range: string, values: Cell[][]): Promise<string> {
    const res = await this.call((headers) =>
      this.api.spreadsheets.values.append(
        {
          spreadsheetId,
          range,
          valueInputOption: 'RAW',
          insertDataOption: 'INSERT_ROWS',
          requestBody: { values },
        },
        { headers },
      ),
    );
    return res.data.updates?.updatedRange ?? '';
  }

  private async call<T>(
    send: (headers: Record<string, string>) => Promise<T>,
    renewed = false,
  ): Promise<T> {
    const token = await this.bearer();
    await this.pace?.();
    try {
      return await send({ authorization: `Bearer ${token}` });
    } catch (err) {
      const e = classifySheetsError(err);
      if (e.httpStatus === 401 && !renewed) {
        await this.renew(token);
        return this.call(send, true);
      }
      throw e;
    }
  }

  private async bearer(): Promise<string> {
    if (this.token !== undefined) return this.token;
    if (this.auth.mode === 'oauth') {
      this.token = await this.auth.tokens.accessToken(this.auth.connectionId);
      return this.token;
    }
    const { key, tokenUrl } = this.auth;
    const cacheKey = `${key.client_email}|${tokenUrl}`;
    const cached = saTokens.get(cacheKey);
    if (cached && cached.expiresAt - SA_MARGIN_MS > Date.now())
      return (this.token = cached.accessToken);
    try {
      const fresh = await serviceAccountToken(key, tokenUrl);
      saTokens.set(cacheKey, fresh);
      return (this.token = fresh.accessToken);
    } catch (err) {
      throw classifySheetsError(err);
    }
  }

  private async renew(rejected: string): Promise<void> {
    if (this.auth.mode === 'oauth') {
      this.token = await this.auth.tokens.accessToken(this.auth.connectionId, rejected);
      return;
    }
    saTokens.delete(`${this.auth.key.client_email}|${this.auth.tokenUrl}`);
    this.token = undefined;
  }
}
