import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { TokenService } from '../../credentials/token.service';
import type { PaymentEventV1 } from '../../payments/payment-event';
import {
  ConnectionContext,
  ConnectorError,
  CrmConnector,
  DeliveryItem,
  DeliveryItemResult,
  RateLimitRule,
} from '../crm-connector';
import { CrmEntitiesService, CrmEntityRecord } from '../shared/crm-entities.service';
import { oauthAuth } from '../shared/oauth-auth';
import { checkSheet } from './google-sheets.check';
import { sheetsChoices } from './google-sheets.choices';
import { readRows } from './google-sheets.read';
import type { CrmReadResult, MappingChoices, ReadOrder } from '../crm-connector';
import { SheetsClient, SheetTab } from './google-sheets.client';
import { Cell, columnLetter, quoteSheet, rowValues } from './google-sheets.mapper';
import { RowRecords, SheetTarget, upsertRows } from './google-sheets.rows';
import {
  parseSheetsSettings,
  SheetConfig,
  sheetConfig,
  SHEETS_DEFAULT_BATCH,
  SHEETS_DEFAULT_RATE,
} from './google-sheets.settings';

export const SHEET_ROW = 'sheet_row';
const TAB_CACHE_MS = 10 * 60_000;

// Writes to one spreadsheet are serialized across workers by an advisory lock held for the call.
@Injectable()
export class GoogleSheetsConnector implements CrmConnector {
  readonly type = 'google-sheets' as const;
  private readonly tabCache = new Map<string, { tab: SheetTab; at: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly entities: CrmEntitiesService,
    private readonly tokenService: TokenService,
  ) {}

  rateLimit(connection: ConnectionContext): RateLimitRule {
    return parseSettings(connection).rateLimit ?? SHEETS_DEFAULT_RATE;
  }

  maxBatchSize(connection: ConnectionContext): number {
    return parseSettings(connection).batchSize ?? SHEETS_DEFAULT_BATCH;
  }

  requestsPerCall(): number {
    return 3;
  }

  async deliver(
    connection: ConnectionContext,
    items: DeliveryItem[],
  ): Promise<DeliveryItemResult[]> {
    const cfg = sheetConfig(parseSettings(connection));
    const spreadsheetId = this.spreadsheetId(connection, cfg);
    const client = await this.client(connection);
    const tab = await this.tab(client, connection.id, spreadsheetId, cfg.sheetName);
    const links = await this.crmLinks(items.map((i) => i.event.orderId));
    const work = items.map((item) => ({ item, values: this.values(cfg, item, links) }));
    const target: SheetTarget = {
      spreadsheetId,
      tab,
      width: cfg.columns.length,
      keyColumn: cfg.columns.indexOf('orderId'),
      uiUrl: this.config.crm.google.sheetsUiUrl,
    };
    return this.locked(spreadsheetId, (m) =>
      upsertRows(client, target, work, this.records(connection.id, m)),
    );
  }

  async plan(connection: ConnectionContext, event: PaymentEventV1): Promise<unknown> {
    const cfg = sheetConfig(parseSettings(connection));
    const spreadsheetId = this.spreadsheetId(connection, cfg);
    const item = { deliveryId: '', attempt: 1, event, link: null };
    const values = this.values(cfg, item, await this.crmLinks([event.orderId]));
    const [rec] = (await this.entities.getMany(connection.id, SHEET_ROW, [event.orderId])).values();
    const sheet = quoteSheet(cfg.sheetName ?? '<first tab>');
    const last = columnLetter(cfg.columns.length - 1);
    return {
      spreadsheetId,
      valueInputOption: 'RAW',
      values,
      ...(rec
        ? {
            update: `${sheet}!A${rec.externalId}:${last}${rec.externalId}`,
            unless: 'its key cell no longer holds the order id: then the key column is searched',
          }
        : { append: `${sheet}!A:${last}`, insertDataOption: 'INSERT_ROWS' }),
    };
  }

  async check(connection: ConnectionContext): Promise<void> {
    const cfg = sheetConfig(parseSettings(connection));
    const spreadsheetId = this.spreadsheetId(connection, cfg);
    await checkSheet(await this.client(connection), spreadsheetId, cfg);
  }

  async read(connection: ConnectionContext, orders: ReadOrder[]): Promise<CrmReadResult> {
    const cfg = sheetConfig(parseSettings(connection));
    const spreadsheetId = this.spreadsheetId(connection, cfg);
    const client = await this.client(connection);
    const tab = await this.tab(client, connection.id, spreadsheetId, cfg.sheetName);
    const exponents = this.config.vpos.currencyExponents;
    return readRows(client, spreadsheetId, tab.title, cfg.columns, orders, exponents);
  }

  async choices(connection: ConnectionContext): Promise<MappingChoices> {
    const cfg = sheetConfig(parseSettings(connection));
    const spreadsheetId = this.spreadsheetId(connection, cfg);
    return sheetsChoices(await this.client(connection), spreadsheetId, cfg.sheetName);
  }

  private values(
    cfg: SheetConfig,
    item: DeliveryItem,
    links: Map<string, Record<string, string>>,
  ): Cell[] {
    const currency = item.event.currency ?? '';
    return rowValues(cfg.columns, {
      event: item.event,
      link: item.link,
      exponent: this.config.vpos.currencyExponents[currency] ?? 2,
      timeZone: cfg.timeZone,
      ...links.get(item.event.orderId),
    });
  }

  private async crmLinks(orderIds: string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    const column: Record<string, string> = {
      bitrix24_deal: 'bitrix24Deal',
      amocrm_lead: 'amocrmLead',
    };
    for (const r of await this.entities.forOrders(orderIds)) {
      const key = column[r.entityType];
      if (!key) continue;
      const url = typeof r.detail.url === 'string' ? r.detail.url : r.externalId;
      out.set(r.orderId, { ...out.get(r.orderId), [key]: url });
    }
    return out;
  }

  private records(connectionId: string, m: EntityManager): RowRecords {
    return {
      get: async (orderIds) => {
        const found = await this.entities.getMany(connectionId, SHEET_ROW, orderIds, m);
        return new Map(
          [...found].map(([orderId, r]) => [
            orderId,
            {
              row: Number(r.externalId),
              eventAt: typeof r.detail.eventAt === 'string' ? r.detail.eventAt : '',
            },
          ]),
        );
      },
      save: (rows) =>
        this.entities.upsert(
          rows.map((r): CrmEntityRecord => ({
            connectionId,
            orderId: r.orderId,
            entityType: SHEET_ROW,
            externalId: String(r.row),
            detail: { eventAt: r.eventAt },
          })),
          m,
        ),
    };
  }

  private locked<T>(spreadsheetId: string, fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(async (m) => {
      await m.query(`SET LOCAL lock_timeout = '120s'`);
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `google-sheets:${spreadsheetId}`,
      ]);
      return fn(m);
    });
  }

  private async tab(
    client: SheetsClient,
    connectionId: string,
    spreadsheetId: string,
    sheetName: string | undefined,
  ): Promise<SheetTab> {
    const key = `${connectionId}|${spreadsheetId}|${sheetName ?? ''}`;
    const cached = this.tabCache.get(key);
    if (cached && Date.now() - cached.at < TAB_CACHE_MS) return cached.tab;
    const tabs = await client.tabs(spreadsheetId);
    const tab = sheetName === undefined ? tabs[0] : tabs.find((t) => t.title === sheetName);
    if (!tab) {
      throw new ConnectorError(
        this.type,
        'permanent',
        'NO_SUCH_TAB',
        `settings.sheetName: the spreadsheet has no tab "${sheetName}"`,
      );
    }
    this.tabCache.set(key, { tab, at: Date.now() });
    return tab;
  }

  private spreadsheetId(connection: ConnectionContext, cfg: SheetConfig): string {
    const fromAccount = connection.account.spreadsheetId;
    const id = cfg.spreadsheetId ?? (typeof fromAccount === 'string' ? fromAccount : undefined);
    if (!id) {
      throw new ConnectorError(
        this.type,
        'permanent',
        'INVALID_SETTINGS',
        'settings.spreadsheetId: required (the spreadsheet to write to)',
      );
    }
    return id;
  }

  private async client(connection: ConnectionContext): Promise<SheetsClient> {
    const { sheetsApiUrl, tokenUrl } = this.config.crm.google;
    const creds = await connection.credentials<Record<string, unknown>>();
    const key = creds?.serviceAccountKey as { client_email?: unknown; private_key?: unknown };
    if (typeof key?.client_email === 'string' && typeof key.private_key === 'string') {
      return new SheetsClient(
        sheetsApiUrl,
        {
          mode: 'service_account',
          key: { client_email: key.client_email, private_key: key.private_key },
          tokenUrl,
        },
        connection.pace,
      );
    }
    const oauth = oauthAuth(connection.id, creds, this.tokenService);
    if (oauth) return new SheetsClient(sheetsApiUrl, oauth, connection.pace);
    throw new ConnectorError(
      this.type,
      'auth',
      'NO_CREDENTIALS',
      'credentials: neither a service-account key nor an OAuth pair; connect the account again',
    );
  }
}

function parseSettings(connection: ConnectionContext) {
  try {
    return parseSheetsSettings(connection.settings);
  } catch (err) {
    throw new ConnectorError(
      'google-sheets',
      'permanent',
      'INVALID_SETTINGS',
      (err as Error).message,
    );
  }
}
