import { Injectable } from '@nestjs/common';
import { TokenService } from '../../credentials/token.service';
import { ConnectionContext, ConnectorError } from '../crm-connector';
import {
  CrmLinkSource,
  EntitySnapshot,
  formText,
  formValue,
  scalarText,
  InboundHint,
  LinkTriggerView,
  LinkWriteBack,
} from '../shared/link-source';
import { AmocrmClient } from './amocrm.client';
import { parseAmocrmSettings } from './amocrm.settings';
import type { AmocrmLinkTrigger } from './amocrm.trigger';

/** Leads per webhook worked; amoCRM sends a few at most. */
const MAX_ITEMS = 100;

interface LeadWithContacts {
  id: number;
  price: number | null;
  status_id: number;
  pipeline_id: number;
  _embedded?: { contacts?: Array<{ id: number; is_main?: boolean }> };
}

interface Contact {
  custom_fields_values?: Array<{ field_code?: string; values?: Array<{ value?: unknown }> }> | null;
}

/**
 * amoCRM leads as a payment-link trigger. Its webhooks are unsigned, so an event only names
 * a lead of an account the hub holds; the lead, its price and its contact are read here.
 */
@Injectable()
export class AmocrmLinkSource implements CrmLinkSource {
  readonly type = 'amocrm';
  readonly refKey = 'amocrmLeadId';
  readonly entityName = 'lead';
  private readonly currencies = new Map<string, { currency: string; at: number }>();

  constructor(private readonly tokens: TokenService) {}

  trigger(ctx: ConnectionContext): (LinkTriggerView & AmocrmLinkTrigger) | undefined {
    const t = parseAmocrmSettings(ctx.settings).paymentLinkTrigger;
    return t && { ...t, language: t.noteLanguage };
  }

  orderId(ctx: ConnectionContext, leadId: string): string {
    return `amo-${scalarText(ctx.account.accountId) || scalarText(ctx.account.accountKey) || ctx.id}-${leadId}`;
  }

  accountIds(account: Record<string, unknown>): string[] {
    const id = scalarText(account.accountId);
    return id ? [`id:${id}`] : [];
  }

  parseInbound(body: unknown): InboundHint {
    const account = formText(body, ['account', 'id']);
    if (!account || !/^\d{1,18}$/.test(account)) throw new Error('account[id]: must be an id');
    const raw = formValue(body, ['leads', 'status']);
    const list = raw && typeof raw === 'object' ? Object.values(raw) : [];
    if (list.length === 0) throw new Error('leads[status][0][id]: must be a lead id');
    const items = list.slice(0, MAX_ITEMS).map((item, i) => {
      const at = (key: string) => formText(item, [key]);
      const id = at('id');
      if (!id || !/^\d{1,18}$/.test(id))
        throw new Error(`leads[status][${i}][id]: must be a lead id`);
      const status = at('status_id');
      if (!status || !/^\d{1,18}$/.test(status)) {
        throw new Error(`leads[status][${i}][status_id]: must be a status id`);
      }
      const modified = at('last_modified') ?? '';
      return {
        entityId: id,
        dedupKey: `${account}:${id}:${status}:${at('pipeline_id') ?? ''}:${modified}`,
      };
    });
    return { eventType: 'status_lead', items, accountIds: [`id:${account}`] };
  }

  async read(ctx: ConnectionContext, leadId: string): Promise<EntitySnapshot> {
    const trigger = this.trigger(ctx);
    const client = await this.client(ctx);
    const q = new URLSearchParams({ with: 'contacts' });
    const lead = await client.get<LeadWithContacts>(`/api/v4/leads/${leadId}`, q);
    if (!lead) {
      throw new ConnectorError(this.type, 'permanent', 'LEAD_NOT_FOUND', `no lead ${leadId}`);
    }
    const inTrigger =
      !!trigger && lead.status_id === trigger.statusId && lead.pipeline_id === trigger.pipelineId;
    const contacts = lead._embedded?.contacts ?? [];
    const main = contacts.find((c) => c.is_main) ?? contacts[0];
    return {
      entityId: leadId,
      inTrigger,
      amount: lead.price && lead.price > 0 ? String(lead.price) : null,
      currency: inTrigger ? await this.currency(ctx, client) : null,
      phone: inTrigger && main ? await this.phone(client, main.id) : null,
    };
  }

  private async phone(client: AmocrmClient, contactId: number): Promise<string | null> {
    const contact = await client.get<Contact>(`/api/v4/contacts/${contactId}`);
    const field = contact?.custom_fields_values?.find((f) => f.field_code === 'PHONE');
    const value = field?.values?.find((v) => typeof v.value === 'string')?.value;
    return typeof value === 'string' ? value : null;
  }

  /** Leads carry no currency: the account's is theirs. */
  private async currency(ctx: ConnectionContext, client: AmocrmClient): Promise<string | null> {
    const cached = this.currencies.get(ctx.id);
    if (cached && Date.now() - cached.at < 10 * 60_000) return cached.currency;
    const account = await client.get<{ currency?: string }>('/api/v4/account');
    if (!account?.currency) return null;
    this.currencies.set(ctx.id, { currency: account.currency, at: Date.now() });
    return account.currency;
  }

  async writeLink(ctx: ConnectionContext, leadId: string, link: LinkWriteBack): Promise<void> {
    const fieldId = this.trigger(ctx)?.linkFieldId;
    if (!fieldId) return;
    const client = await this.client(ctx);
    await client.patch(`/api/v4/leads/${leadId}`, {
      custom_fields_values: [{ field_id: fieldId, values: [{ value: link.text }] }],
    });
  }

  async note(ctx: ConnectionContext, leadId: string, text: string): Promise<void> {
    const client = await this.client(ctx);
    await client.post(`/api/v4/leads/${leadId}/notes`, [{ note_type: 'common', params: { text } }]);
  }

  async subscribe(ctx: ConnectionContext, destination: string): Promise<boolean> {
    const client = await this.client(ctx);
    await client.post('/api/v4/webhooks', { destination, settings: ['status_lead'] });
    return true;
  }

  async unsubscribe(ctx: ConnectionContext, destination: string): Promise<void> {
    const client = await this.client(ctx);
    await client.delete('/api/v4/webhooks', { destination });
  }

  private async client(ctx: ConnectionContext): Promise<AmocrmClient> {
    const baseUrl = ctx.account.baseUrl;
    const creds = await ctx.credentials<Record<string, unknown>>();
    if (typeof baseUrl !== 'string') {
      throw new ConnectorError(
        this.type,
        'permanent',
        'BAD_ACCOUNT_HOST',
        'account.baseUrl is missing',
      );
    }
    if (typeof creds?.token === 'string' && creds.token !== '') {
      return new AmocrmClient(baseUrl, { mode: 'token', token: creds.token }, ctx.pace);
    }
    if (typeof creds?.accessToken === 'string') {
      return new AmocrmClient(
        baseUrl,
        { mode: 'oauth', connectionId: ctx.id, tokens: this.tokens, first: undefined },
        ctx.pace,
      );
    }
    throw new ConnectorError(this.type, 'auth', 'NO_CREDENTIALS', 'amocrm: reconnect the account');
  }
}
