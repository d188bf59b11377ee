import { Inject, Injectable } from '@nestjs/common';
import {
  checkOutboundUrl,
  hostOf,
  isTrustedProviderHost,
  schemeFor,
} from '../../common/url-policy';
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
  MappingChoices,
  RateLimitRule,
} from '../crm-connector';
import { CrmEntitiesService } from '../shared/crm-entities.service';
import { oauthAuth } from '../shared/oauth-auth';
import { AmocrmClient } from './amocrm.client';
import { asConnectorError, LeadBatch, LeadRecords, Work } from './amocrm.batch';
import { leadCustomFields } from './amocrm.lookup';
import {
  isDelivered,
  LeadInput,
  leadIdOf,
  leadPatch,
  newLeadBody,
  noteMarker,
  noteText,
} from './amocrm.mapper';
import { ACCOUNT_DOMAINS } from './amocrm.oauth';
import {
  AMOCRM_DEFAULT_BATCH,
  AMOCRM_DEFAULT_RATE,
  AmocrmSettings,
  parseAmocrmSettings,
} from './amocrm.settings';
import { settingsProblems } from './amocrm.settings-check';
import { amocrmChoices } from './amocrm.choices';
import { readLeads } from './amocrm.read';
import type { CrmReadResult, ReadOrder } from '../crm-connector';
import type { AmoLead, AmoList, AmoPipeline } from './amocrm.types';

const LEAD = 'lead';

export function leadRecords(entities: CrmEntitiesService, connectionId: string): LeadRecords {
  return {
    read: (orderIds) => entities.idsOf(connectionId, LEAD, orderIds),
    write: (leads) =>
      entities.recordIds(
        connectionId,
        LEAD,
        leads.map((l) => ({ orderId: l.orderId, id: l.leadId })),
      ),
    inDoubt: (orderIds) => entities.createsInDoubt(connectionId, LEAD, orderIds),
    creating: (orderIds, freshMs, stale) =>
      entities.creating(connectionId, LEAD, orderIds, new Date(), freshMs, stale),
  };
}

@Injectable()
export class AmocrmConnector implements CrmConnector {
  readonly type = 'amocrm' as const;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokenService: TokenService,
    private readonly entities: CrmEntitiesService,
  ) {}

  rateLimit(connection: ConnectionContext): RateLimitRule {
    return this.settings(connection).rateLimit ?? AMOCRM_DEFAULT_RATE;
  }

  maxBatchSize(connection: ConnectionContext): number {
    return this.settings(connection).batchSize ?? AMOCRM_DEFAULT_BATCH;
  }

  async deliver(
    connection: ConnectionContext,
    items: DeliveryItem[],
  ): Promise<DeliveryItemResult[]> {
    const settings = this.settings(connection);
    const client = await this.client(connection);
    const work: Work[] = [];
    const skipped: DeliveryItemResult[] = [];
    for (const item of items) {
      if (isDelivered(item.event.type)) work.push({ item, input: this.input(item, settings) });
      else {
        skipped.push({
          deliveryId: item.deliveryId,
          outcome: 'skipped',
          reason: `${item.event.type} payments are not written to amoCRM`,
        });
      }
    }
    const batch = new LeadBatch(client, settings, work, leadRecords(this.entities, connection.id));
    return [...skipped, ...(await batch.run())];
  }

  plan(connection: ConnectionContext, event: PaymentEventV1): Promise<unknown> {
    const settings = this.settings(connection);
    const base = this.baseUrl(connection);
    if (!isDelivered(event.type)) {
      return Promise.resolve({ skip: `${event.type} payments are not written to amoCRM` });
    }
    const input = this.input({ deliveryId: '', attempt: 1, event, link: null }, settings);
    const leadId = leadIdOf(event);
    const find: unknown[] = [];
    if (leadId) find.push({ method: 'GET', url: `${base}/api/v4/leads/${leadId}` });
    if (settings.orderIdField !== undefined) {
      const q = new URLSearchParams({ query: event.orderId, limit: '250' });
      find.push({
        method: 'GET',
        url: `${base}/api/v4/leads?${q.toString()}`,
        match: `custom field ${settings.orderIdField} is exactly "${event.orderId}"`,
      });
    }
    const blank: AmoLead = {
      id: 0,
      price: null,
      status_id: 0,
      pipeline_id: 0,
      custom_fields_values: null,
    };
    return Promise.resolve({
      find,
      ifNoLead: settings.createLeads
        ? { method: 'POST', url: `${base}/api/v4/leads`, body: [newLeadBody(input, settings, '0')] }
        : `fail: no lead for order ${event.orderId}`,
      update: {
        method: 'PATCH',
        url: `${base}/api/v4/leads`,
        body: [{ ...leadPatch(blank, input, settings), id: '<lead id>' }],
        only: 'what differs from the lead; a won lead is not moved again',
      },
      note: {
        method: 'POST',
        url: `${base}/api/v4/leads/notes`,
        body: [{ entity_id: '<lead id>', note_type: 'common', params: { text: noteText(input) } }],
        unless: `a retry finds a note with ${noteMarker(event.id)}`,
      },
    });
  }

  async check(connection: ConnectionContext): Promise<void> {
    const settings = this.settings(connection);
    const client = await this.client(connection);
    let pipelines: AmoPipeline[];
    let fields: Awaited<ReturnType<typeof leadCustomFields>>;
    try {
      const list = await client.get<AmoList<'pipelines', AmoPipeline>>('/api/v4/leads/pipelines');
      pipelines = list?._embedded?.pipelines ?? [];
      fields = await leadCustomFields(client);
    } catch (err) {
      const e = asConnectorError(err);
      const what =
        e.kind === 'auth'
          ? 'credentials: amoCRM refused them'
          : e.kind === 'retryable'
            ? 'amoCRM did not answer the check; try again'
            : 'amoCRM refused the check';
      throw new ConnectorError('amocrm', e.kind, e.code, `${what} (${e.message})`, e.httpStatus);
    }
    const problems = settingsProblems(settings, pipelines, fields);
    if (problems.length > 0) {
      throw new ConnectorError('amocrm', 'permanent', 'INVALID_SETTINGS', problems.join('; '));
    }
  }

  private input(item: DeliveryItem, settings: AmocrmSettings): LeadInput {
    const currency = item.event.currency ?? '';
    return {
      event: item.event,
      link: item.link,
      exponent: this.config.vpos.currencyExponents[currency] ?? 2,
      language: settings.noteLanguage,
    };
  }

  private settings(connection: ConnectionContext): AmocrmSettings {
    return connectorSettings(this.type, parseAmocrmSettings, connection);
  }

  private baseUrl(connection: ConnectionContext): string {
    const insecure = this.config.connectors.insecureHosts;
    const { account, settings } = connection;
    const host = [account.host, settings.host].find((h): h is string => typeof h === 'string');
    const baseUrl =
      typeof account.baseUrl === 'string'
        ? account.baseUrl.replace(/\/+$/, '')
        : host
          ? `${schemeFor(host, insecure)}://${hostOf(host)}`
          : undefined;
    const bad = (message: string) =>
      new ConnectorError(this.type, 'permanent', 'BAD_ACCOUNT_HOST', `account.baseUrl ${message}`);
    if (!baseUrl) {
      throw bad(
        'is missing: connect the account through OAuth, or with mode "token" (settings.host and credentials.token)',
      );
    }
    const problem = checkOutboundUrl(baseUrl, insecure);
    if (problem) throw bad(problem);
    if (!isTrustedProviderHost(new URL(baseUrl).host, ACCOUNT_DOMAINS, insecure)) {
      throw bad(`${baseUrl} is not an amoCRM or Kommo account`);
    }
    return baseUrl;
  }

  async read(connection: ConnectionContext, orders: ReadOrder[]): Promise<CrmReadResult> {
    const client = await this.client(connection);
    return readLeads(client, this.settings(connection), orders, this.config.vpos.currencyExponents);
  }

  async choices(connection: ConnectionContext): Promise<MappingChoices> {
    return amocrmChoices(await this.client(connection));
  }

  private async client(connection: ConnectionContext): Promise<AmocrmClient> {
    const baseUrl = this.baseUrl(connection);
    const creds = await connection.credentials<Record<string, unknown>>();
    if (typeof creds?.token === 'string' && creds.token !== '') {
      return new AmocrmClient(baseUrl, { mode: 'token', token: creds.token }, connection.pace);
    }
    const oauth = oauthAuth(connection.id, creds, this.tokenService);
    if (oauth) return new AmocrmClient(baseUrl, oauth, connection.pace);
    throw new ConnectorError(
      this.type,
      'auth',
      'NO_CREDENTIALS',
      'credentials: neither a long-lived token nor an OAuth pair; connect the account again',
    );
  }
}
