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
  CrmReadResult,
  MappingChoices,
  RateLimitRule,
  ReadOrder,
} from '../crm-connector';
import { CrmEntitiesService } from '../shared/crm-entities.service';
import { StageCatalog } from './bitrix24.catalog';
import { bitrix24Choices } from './bitrix24.choices';
import { Bitrix24Client, MAX_BATCH_COMMANDS } from './bitrix24.client';
import { connectionClient } from './bitrix24.connection-client';
import { commentedEvents, findDeals, LOOKUP_ORDERS, originator } from './bitrix24.lookup';
import { commentText, DealRef, newDealFields, WRITES } from './bitrix24.mapper';
import { BITRIX24_DEFAULTS, Bitrix24Settings, parseBitrix24Settings } from './bitrix24.settings';
import { settingsProblems } from './bitrix24.settings-check';
import { readDeals } from './bitrix24.read';
import { claimCreates, DEAL_CREATE_SETTLE_MS, planWrite, runWrites, Write } from './bitrix24.batch';

const CATALOG_TTL_MS = 10 * 60_000;
const DEAL = 'deal';

@Injectable()
export class Bitrix24Connector implements CrmConnector {
  readonly type = 'bitrix24' as const;
  private readonly catalogs = new Map<string, { catalog: StageCatalog; at: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokenService: TokenService,
    private readonly entities: CrmEntitiesService,
  ) {}

  rateLimit(connection: ConnectionContext): RateLimitRule {
    return this.settings(connection).rateLimit ?? BITRIX24_DEFAULTS.rateLimit;
  }

  maxBatchSize(connection: ConnectionContext): number {
    return this.settings(connection).batchSize ?? BITRIX24_DEFAULTS.batchSize;
  }

  /** Lookups (50 orders a command) in one request, then writes of two commands an event. */
  requestsPerCall(connection: ConnectionContext, items: number): number {
    const n = Math.min(items, this.maxBatchSize(connection));
    const lookups = Math.ceil(n / LOOKUP_ORDERS);
    return Math.ceil(lookups / MAX_BATCH_COMMANDS) + Math.ceil((2 * n) / MAX_BATCH_COMMANDS);
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
      const recorded = await this.recordedDeals(connection.id, work);
      const deals = await findDeals(client, settings, work, recorded);
      await this.record(
        connection.id,
        work
          .filter((i) => deals.found.has(i.deliveryId))
          .map((i) => ({ orderId: i.event.orderId, dealId: deals.found.get(i.deliveryId)!.id }))
          .filter((d) => recorded.get(d.orderId) !== d.dealId),
      );
      const catalog = await this.catalog(connection, client, [...deals.found.values()]);
      const commented = await commentedEvents(client, work, deals.found);
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
        const write = planWrite(
          item,
          deals.found.get(item.deliveryId),
          settings,
          catalog,
          commented,
          this.exponent(item.event),
        );
        if (write instanceof ConnectorError) {
          results.set(item.deliveryId, {
            deliveryId: item.deliveryId,
            outcome: 'failed',
            error: write,
          });
        } else writes.push(write);
      }
      const claimed = await claimCreates(writes, (orders) =>
        this.entities.creating(
          connection.id,
          DEAL,
          orders,
          new Date(),
          DEAL_CREATE_SETTLE_MS,
          recorded,
        ),
      );
      for (const r of claimed.refused) results.set(r.deliveryId, r);
      const written = await runWrites(
        client,
        claimed.writes,
        (id) => this.dealUrl(connection, id),
        (created) => this.record(connection.id, created),
      );
      for (const r of written) results.set(r.deliveryId, r);
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
    const problems = settingsProblems(settings, fields ?? {}, catalog);
    if (problems.length) {
      throw new ConnectorError(this.type, 'permanent', 'INVALID_SETTINGS', problems.join('; '));
    }
    this.catalogs.set(connection.id, { catalog, at: Date.now() });
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

  async read(connection: ConnectionContext, orders: ReadOrder[]): Promise<CrmReadResult> {
    const client = await this.client(connection);
    return readDeals(client, this.settings(connection), orders, this.config.vpos.currencyExponents);
  }

  async choices(connection: ConnectionContext): Promise<MappingChoices> {
    return bitrix24Choices(await this.client(connection));
  }

  private client(connection: ConnectionContext): Promise<Bitrix24Client> {
    return connectionClient(connection, this.tokenService);
  }

  private recordedDeals(connectionId: string, items: DeliveryItem[]) {
    const orders = [...new Set(items.map((i) => i.event.orderId))];
    return this.entities.idsOf(connectionId, DEAL, orders);
  }

  private record(connectionId: string, deals: Array<{ orderId: string; dealId: number }>) {
    return this.entities.recordIds(
      connectionId,
      DEAL,
      deals.map((d) => ({ orderId: d.orderId, id: d.dealId })),
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
          ? { ORIGINATOR_ID: originator(settings), ORIGIN_ID: event.orderId }
          : { [field]: event.orderId },
    };
  }

  private exponent(event: PaymentEventV1): number {
    return this.config.vpos.currencyExponents[event.currency ?? ''] ?? 2;
  }

  private settings(connection: ConnectionContext): Bitrix24Settings {
    return connectorSettings(this.type, parseBitrix24Settings, connection);
  }
}
