import { Inject, Injectable } from '@nestjs/common';
import { schemeFor } from '../../common/url-policy';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { TokenService } from '../../credentials/token.service';
import type { PaymentEventV1 } from '../../payments/payment-event';
import {
  ConnectionContext,
  ConnectorError,
  connectorSettings,
  CrmConnector,
  DeliveryItem,
  DeliveryItemResult,
  RateLimitRule,
} from '../crm-connector';
import { StageCatalog } from './bitrix24.catalog';
import { Bitrix24Client, MAX_BATCH_COMMANDS } from './bitrix24.client';
import {
  commentMarker,
  commentText,
  dealChange,
  DealRef,
  newDealFields,
  WRITES,
} from './bitrix24.mapping';
import { BITRIX24_DEFAULTS, Bitrix24Settings, parseBitrix24Settings } from './bitrix24.settings';

interface Bitrix24Credentials {
  webhookUrl?: string;
  accessToken?: string;
}

type DealRow = Record<string, string | null | undefined>;
type Command = { method: string; params: Record<string, unknown> };

/** One event's share of a write batch. */
interface Write {
  item: DeliveryItem;
  commands: Record<string, Command>;
  /** The deal, when it exists already; otherwise `add` creates it. */
  dealId?: number;
  add?: string;
  detail?: string;
}

const CATALOG_TTL_MS = 10 * 60_000;
const DEAL_SELECT = ['ID', 'CATEGORY_ID', 'STAGE_ID', 'STAGE_SEMANTIC_ID', 'ORIGIN_ID'];

/**
 * Bitrix24 deals (crm-apis.md A). Per call, whatever the number of events: one batch looks up
 * every deal (by id, or by order id with an IN filter), then write batches of at most 50
 * commands update the deals and add one timeline comment per event. Bitrix24 CRM methods take
 * no idempotency key, so a comment carries a marker and is added only when no earlier try
 * left it; a deal is created with the order id as ORIGIN_ID, so a retry finds it.
 */
@Injectable()
export class Bitrix24Connector implements CrmConnector {
  readonly type = 'bitrix24' as const;
  private readonly catalogs = new Map<string, { catalog: StageCatalog; at: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokenService: TokenService,
  ) {}

  rateLimit(connection: ConnectionContext): RateLimitRule {
    return this.settings(connection).rateLimit ?? BITRIX24_DEFAULTS.rateLimit;
  }

  maxBatchSize(connection: ConnectionContext): number {
    return this.settings(connection).batchSize ?? BITRIX24_DEFAULTS.batchSize;
  }

  /** One lookup request and one write request per 25 events (two commands each). */
  requestsPerCall(connection: ConnectionContext): number {
    return 1 + Math.ceil((2 * this.maxBatchSize(connection)) / MAX_BATCH_COMMANDS);
  }

  async deliver(
    connection: ConnectionContext,
    items: DeliveryItem[],
  ): Promise<DeliveryItemResult[]> {
    const settings = this.settings(connection);
    const results = new Map<string, DeliveryItemResult>();
    const work: DeliveryItem[] = [];
    for (const item of items) {
      if (WRITES.has(item.event.type)) work.push(item);
      else {
        results.set(item.deliveryId, {
          deliveryId: item.deliveryId,
          outcome: 'skipped',
          reason: `nothing to write to Bitrix24 for a ${item.event.type} event`,
        });
      }
    }
    if (work.length) {
      const client = await this.client(connection);
      const deals = await this.findDeals(client, settings, work);
      const catalog = await this.catalog(connection, client, [...deals.found.values()]);
      const commented = await this.commentedEvents(client, work, deals.found);
      const writes: Write[] = [];
      for (const item of work) {
        const failed = deals.failed.get(item.deliveryId);
        if (failed) {
          results.set(item.deliveryId, {
            deliveryId: item.deliveryId,
            outcome: 'failed',
            error: failed,
          });
          continue;
        }
        const write = this.write(
          item,
          deals.found.get(item.deliveryId),
          settings,
          catalog,
          commented,
        );
        if (write instanceof ConnectorError) {
          results.set(item.deliveryId, {
            deliveryId: item.deliveryId,
            outcome: 'failed',
            error: write,
          });
        } else writes.push(write);
      }
      for (const r of await this.runWrites(client, connection, writes))
        results.set(r.deliveryId, r);
    }
    return items.map((i) => results.get(i.deliveryId)!);
  }

  plan(connection: ConnectionContext, event: PaymentEventV1): Promise<unknown> {
    const settings = this.settings(connection);
    const exponent = this.exponent(event);
    const catalog = this.catalogs.get(connection.id)?.catalog ?? new StageCatalog(new Map());
    if (!WRITES.has(event.type)) {
      return Promise.resolve({ skip: `nothing to write to Bitrix24 for a ${event.type} event` });
    }
    return Promise.resolve({
      find: this.lookupFilter(settings, event),
      ifMissing: settings.createDeals
        ? {
            method: 'crm.deal.add',
            fields: newDealFields(event, null, settings, catalog, exponent),
          }
        : { fail: 'DEAL_NOT_FOUND' },
      stage:
        settings.stages?.[event.type as keyof NonNullable<Bitrix24Settings['stages']>] ??
        (event.type === 'paid'
          ? 'the won stage of the deal’s pipeline (unless already won)'
          : null),
      comment: {
        method: 'crm.timeline.comment.add',
        text: commentText(event, null, exponent, settings.noteLanguage),
      },
    });
  }

  async check(connection: ConnectionContext): Promise<void> {
    const settings = this.settings(connection);
    const client = await this.client(connection);
    let fields: Record<string, unknown>;
    let catalog: StageCatalog;
    try {
      [fields, catalog] = await Promise.all([
        client.call<Record<string, unknown>>('crm.deal.fields'),
        StageCatalog.load(client),
      ]);
    } catch (err) {
      if (!(err instanceof ConnectorError)) throw err;
      const what =
        err.kind === 'auth'
          ? 'credentials: the portal refused them'
          : err.kind === 'retryable'
            ? 'the portal did not answer the check; try again'
            : 'the portal refused the check';
      throw new ConnectorError(this.type, err.kind, err.code, `${what} (${err.message})`);
    }
    const problems: string[] = [];
    const known = (name: string) => Object.prototype.hasOwnProperty.call(fields ?? {}, name);
    if (settings.orderIdField && !known(settings.orderIdField)) {
      problems.push(
        `settings.orderIdField: ${settings.orderIdField} is not a deal field on this portal`,
      );
    }
    for (const [key, name] of Object.entries(settings.fields ?? {})) {
      if (typeof name === 'string' && !known(name)) {
        problems.push(`settings.fields.${key}: ${name} is not a deal field on this portal`);
      }
    }
    for (const [status, stage] of Object.entries(settings.stages ?? {})) {
      if (typeof stage === 'string' && !catalog.knows(stage)) {
        problems.push(
          `settings.stages.${status}: unknown stage "${stage}" (this portal has ${catalog.allStages().join(', ')})`,
        );
      }
    }
    const categoryId = settings.newDeal?.categoryId ?? 0;
    if (!catalog.pipelines.has(categoryId)) {
      const list = [...catalog.pipelines.values()].map((p) => `${p.id} ${p.name}`).join(', ');
      problems.push(`settings.newDeal.categoryId: no pipeline ${categoryId} (pipelines: ${list})`);
    } else if (
      settings.newDeal?.stageId &&
      !catalog.resolve(settings.newDeal.stageId, categoryId)
    ) {
      problems.push(
        `settings.newDeal.stageId: unknown stage "${settings.newDeal.stageId}" in pipeline ${categoryId} (${catalog.pipelines.get(categoryId)!.stages.join(', ')})`,
      );
    }
    if (problems.length) {
      throw new ConnectorError(this.type, 'permanent', 'INVALID_SETTINGS', problems.join('; '));
    }
    this.catalogs.set(connection.id, { catalog, at: Date.now() });
  }

  /** Deals of the items, by crm.bitrix24DealId or by order id, in one batch. */
  private async findDeals(
    client: Bitrix24Client,
    settings: Bitrix24Settings,
    items: DeliveryItem[],
  ): Promise<{ found: Map<string, DealRef>; failed: Map<string, ConnectorError> }> {
    const found = new Map<string, DealRef>();
    const failed = new Map<string, ConnectorError>();
    const byId = new Map<string, DeliveryItem[]>();
    const byOrder = new Map<string, DeliveryItem[]>();
    for (const item of items) {
      const dealId = item.event.crm.bitrix24DealId;
      if (dealId !== undefined && !/^\d+$/.test(dealId)) {
        failed.set(
          item.deliveryId,
          this.permanent('DEAL_NOT_FOUND', `crm.bitrix24DealId "${dealId}" is not a deal id`),
        );
      } else if (dealId !== undefined) push(byId, dealId, item);
      else push(byOrder, item.event.orderId, item);
    }
    const orderField = settings.orderIdField ?? BITRIX24_DEFAULTS.orderIdField;
    const select = orderField === 'ORIGIN_ID' ? DEAL_SELECT : [...DEAL_SELECT, orderField];
    const commands: Record<string, Command> = {};
    const waiting: Record<string, DeliveryItem[]> = {};
    const lookup = (key: string, filter: Record<string, unknown>, of: DeliveryItem[]) => {
      commands[key] = { method: 'crm.deal.list', params: { filter, select, order: { ID: 'ASC' } } };
      waiting[key] = of;
    };
    chunk([...byId.keys()], 50).forEach((ids, n) =>
      lookup(
        `id${n}`,
        { '@ID': ids },
        ids.flatMap((id) => byId.get(id)!),
      ),
    );
    chunk([...byOrder.keys()], 50).forEach((orders, n) =>
      lookup(
        `o${n}`,
        orderField === 'ORIGIN_ID'
          ? { ORIGINATOR_ID: this.originator(settings), '@ORIGIN_ID': orders }
          : { [`@${orderField}`]: orders },
        orders.flatMap((o) => byOrder.get(o)!),
      ),
    );
    const rows: DealRow[] = [];
    for (const part of chunkEntries(commands, MAX_BATCH_COMMANDS)) {
      const out = await client.batch(part);
      for (const key of Object.keys(part)) {
        const error = out.errors[key];
        if (error) {
          for (const item of waiting[key]) failed.set(item.deliveryId, error);
          continue;
        }
        rows.push(...((out.result[key] as DealRow[] | undefined) ?? []));
        // More than a page: the same order id on several deals. Read the rest.
        if (out.next[key] !== undefined) {
          const all = await client.listAll<DealRow>(part[key].method, part[key].params);
          rows.push(...all.slice(50));
        }
      }
    }
    for (const row of rows) {
      const deal: DealRef = {
        id: Number(row.ID),
        categoryId: Number(row.CATEGORY_ID ?? 0),
        stageId: String(row.STAGE_ID ?? ''),
        semantic: String(row.STAGE_SEMANTIC_ID ?? 'P'),
      };
      for (const item of byId.get(String(row.ID)) ?? []) found.set(item.deliveryId, deal);
      const orderId = row[orderField];
      // The oldest deal wins when several carry the order id (rows come sorted by ID).
      for (const item of orderId ? (byOrder.get(orderId) ?? []) : []) {
        if (!found.has(item.deliveryId)) found.set(item.deliveryId, deal);
      }
    }
    for (const [dealId, waiting] of byId) {
      for (const item of waiting) {
        if (!found.has(item.deliveryId) && !failed.has(item.deliveryId)) {
          failed.set(
            item.deliveryId,
            this.permanent('DEAL_NOT_FOUND', `deal ${dealId} (crm.bitrix24DealId) was not found`),
          );
        }
      }
    }
    return { found, failed };
  }

  /**
   * Events whose comment an earlier try already added. Only retries can have one (a first try
   * has never reached the portal), so a first delivery costs no extra request.
   */
  private async commentedEvents(
    client: Bitrix24Client,
    items: DeliveryItem[],
    deals: Map<string, DealRef>,
  ): Promise<Set<string>> {
    const retried = items.filter((i) => i.attempt > 1 && deals.has(i.deliveryId));
    const dealIds = [...new Set(retried.map((i) => deals.get(i.deliveryId)!.id))];
    const commented = new Set<string>();
    const commands = Object.fromEntries(
      dealIds.map((id) => [
        `c${id}`,
        {
          method: 'crm.timeline.comment.list',
          params: { filter: { ENTITY_ID: id, ENTITY_TYPE: 'deal' }, select: ['ID', 'COMMENT'] },
        },
      ]),
    );
    const texts: string[] = [];
    for (const part of chunkEntries(commands, MAX_BATCH_COMMANDS)) {
      const out = await client.batch(part);
      for (const key of Object.keys(part)) {
        if (out.errors[key]) throw out.errors[key];
        const rows = (out.result[key] as Array<{ COMMENT?: string }> | undefined) ?? [];
        if (out.next[key] !== undefined) {
          rows.push(
            ...(
              await client.listAll<{ COMMENT?: string }>(part[key].method, part[key].params)
            ).slice(50),
          );
        }
        texts.push(...rows.map((r) => r.COMMENT ?? ''));
      }
    }
    for (const item of retried) {
      const marker = commentMarker(item.event.id);
      if (texts.some((t) => t.includes(marker))) commented.add(item.event.id);
    }
    return commented;
  }

  /** The commands one event needs, or why it cannot be applied. */
  private write(
    item: DeliveryItem,
    deal: DealRef | undefined,
    settings: Bitrix24Settings,
    catalog: StageCatalog,
    commented: Set<string>,
  ): Write | ConnectorError {
    const n = item.deliveryId.replace(/-/g, '').slice(0, 12);
    const exponent = this.exponent(item.event);
    const comment = (entityId: number | string): Command => ({
      method: 'crm.timeline.comment.add',
      params: {
        fields: {
          ENTITY_ID: entityId,
          ENTITY_TYPE: 'deal',
          COMMENT: commentText(item.event, item.link, exponent, settings.noteLanguage),
        },
      },
    });
    if (deal) {
      const change = dealChange(item.event, deal, item.link, settings, catalog, exponent);
      const commands: Record<string, Command> = {};
      if (Object.keys(change.fields).length) {
        commands[`u${n}`] = {
          method: 'crm.deal.update',
          params: { id: deal.id, fields: change.fields, params: { REGISTER_SONET_EVENT: 'N' } },
        };
      }
      if (!commented.has(item.event.id)) commands[`m${n}`] = comment(deal.id);
      return { item, commands, dealId: deal.id, detail: change.stageNote };
    }
    if (!settings.createDeals) {
      return this.permanent(
        'DEAL_NOT_FOUND',
        `no deal for order ${item.event.orderId} (${describeLookup(settings)}); set crm.bitrix24DealId on the payment link or allow settings.createDeals`,
      );
    }
    const add = `a${n}`;
    return {
      item,
      add,
      detail: 'deal created',
      commands: {
        [add]: {
          method: 'crm.deal.add',
          params: {
            fields: newDealFields(item.event, item.link, settings, catalog, exponent),
            params: { REGISTER_SONET_EVENT: 'N' },
          },
        },
        [`m${n}`]: comment(`$result[${add}]`),
      },
    };
  }

  /** Write batches of at most 50 commands, an event's commands always in the same batch. */
  private async runWrites(
    client: Bitrix24Client,
    connection: ConnectionContext,
    writes: Write[],
  ): Promise<DeliveryItemResult[]> {
    const results: DeliveryItemResult[] = [];
    const batches: Write[][] = [];
    let size = MAX_BATCH_COMMANDS;
    for (const w of writes) {
      const count = Object.keys(w.commands).length;
      if (size + count > MAX_BATCH_COMMANDS) batches.push([]);
      size = size + count > MAX_BATCH_COMMANDS ? count : size + count;
      batches.at(-1)!.push(w);
    }
    let stopped: ConnectorError | undefined;
    for (const batch of batches) {
      const commands = Object.assign({}, ...batch.map((w) => w.commands)) as Record<
        string,
        Command
      >;
      let out: Awaited<ReturnType<Bitrix24Client['batch']>> | undefined;
      if (!stopped && Object.keys(commands).length) {
        try {
          out = await client.batch(commands);
        } catch (err) {
          if (!(err instanceof ConnectorError)) throw err;
          // The rest would meet the same refusal (limit, token): they retry together.
          stopped = err;
        }
      }
      for (const w of batch) {
        const keys = Object.keys(w.commands);
        const error = stopped ?? keys.map((k) => out?.errors[k]).find((e) => e !== undefined);
        if (error && keys.length) {
          results.push({ deliveryId: w.item.deliveryId, outcome: 'failed', error });
          continue;
        }
        const dealId = w.dealId ?? Number(out?.result[w.add!]);
        results.push({
          deliveryId: w.item.deliveryId,
          outcome: 'delivered',
          externalId: String(dealId),
          externalUrl: this.dealUrl(connection, dealId),
          detail: keys.length ? w.detail : 'already applied',
        });
      }
    }
    return results;
  }

  private async catalog(
    connection: ConnectionContext,
    client: Bitrix24Client,
    deals: DealRef[],
  ): Promise<StageCatalog> {
    const cached = this.catalogs.get(connection.id);
    // A pipeline added since the catalog was read: read it again now.
    const stale =
      !cached ||
      Date.now() - cached.at > CATALOG_TTL_MS ||
      deals.some((d) => !cached.catalog.pipelines.has(d.categoryId));
    if (!stale) return cached.catalog;
    const catalog = await StageCatalog.load(client);
    this.catalogs.set(connection.id, { catalog, at: Date.now() });
    return catalog;
  }

  private async client(connection: ConnectionContext): Promise<Bitrix24Client> {
    const credentials = await connection.credentials<Bitrix24Credentials>();
    if (credentials?.webhookUrl) {
      return new Bitrix24Client(
        { mode: 'webhook', webhookUrl: credentials.webhookUrl },
        { pace: connection.pace },
      );
    }
    const clientEndpoint = connection.account.clientEndpoint;
    if (!credentials?.accessToken || typeof clientEndpoint !== 'string') {
      throw new ConnectorError(
        this.type,
        'auth',
        'NO_CREDENTIALS',
        'bitrix24: the connection has no credentials; reconnect it',
      );
    }
    return new Bitrix24Client(
      { mode: 'oauth', connectionId: connection.id, clientEndpoint },
      {
        tokens: this.tokenService,
        pace: connection.pace,
      },
    );
  }

  private dealUrl(connection: ConnectionContext, dealId: number): string | undefined {
    const domain = connection.account.domain;
    if (typeof domain !== 'string' || !Number.isFinite(dealId)) return undefined;
    const scheme = schemeFor(domain, this.config.connectors.insecureHosts);
    return `${scheme}://${domain}/crm/deal/details/${dealId}/`;
  }

  private lookupFilter(settings: Bitrix24Settings, event: PaymentEventV1): Record<string, unknown> {
    if (event.crm.bitrix24DealId)
      return { method: 'crm.deal.list', filter: { ID: event.crm.bitrix24DealId } };
    const field = settings.orderIdField ?? BITRIX24_DEFAULTS.orderIdField;
    return {
      method: 'crm.deal.list',
      filter:
        field === 'ORIGIN_ID'
          ? { ORIGINATOR_ID: this.originator(settings), ORIGIN_ID: event.orderId }
          : { [field]: event.orderId },
    };
  }

  private originator(settings: Bitrix24Settings): string {
    return settings.originatorId ?? BITRIX24_DEFAULTS.originatorId;
  }

  private exponent(event: PaymentEventV1): number {
    return this.config.vpos.currencyExponents[event.currency ?? ''] ?? 2;
  }

  private permanent(code: string, message: string): ConnectorError {
    return new ConnectorError(this.type, 'permanent', code, `bitrix24: ${message}`);
  }

  private settings(connection: ConnectionContext): Bitrix24Settings {
    return connectorSettings(this.type, parseBitrix24Settings, connection);
  }
}

function describeLookup(settings: Bitrix24Settings): string {
  const field = settings.orderIdField ?? BITRIX24_DEFAULTS.orderIdField;
  return field === 'ORIGIN_ID'
    ? `ORIGINATOR_ID ${settings.originatorId ?? BITRIX24_DEFAULTS.originatorId}, ORIGIN_ID`
    : field;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function chunkEntries<V>(map: Record<string, V>, size: number): Array<Record<string, V>> {
  return chunk(Object.entries(map), size).map((part) => Object.fromEntries(part));
}
