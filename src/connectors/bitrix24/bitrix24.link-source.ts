import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createHttpClient } from '../../common/http-client';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { TokenService } from '../../credentials/token.service';
import { ConnectionContext } from '../crm-connector';
import {
  CrmLinkSource,
  EntitySnapshot,
  formText,
  scalarText,
  InboundHint,
  LinkTriggerView,
  LinkWriteBack,
} from '../shared/link-source';
import { Bitrix24Client } from './bitrix24.client';
import { connectionClient, isWebhookConnection } from './bitrix24.connection-client';
import { parseBitrix24Settings } from './bitrix24.settings';
import { Bitrix24LinkTrigger, triggerStageFor } from './bitrix24.trigger';

export const DEAL_EVENTS = ['ONCRMDEALUPDATE', 'ONCRMDEALADD'];

interface ContactItem {
  CONTACT_ID?: string | number;
  IS_PRIMARY?: string;
}

/** Bitrix24 deals as a payment-link trigger: deal events in, deal read, link written back. */
@Injectable()
export class Bitrix24LinkSource implements CrmLinkSource {
  readonly type = 'bitrix24';
  readonly refKey = 'bitrix24DealId';
  readonly entityName = 'deal';

  constructor(
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  trigger(ctx: ConnectionContext): (LinkTriggerView & Bitrix24LinkTrigger) | undefined {
    const t = parseBitrix24Settings(ctx.settings).paymentLinkTrigger;
    return t && { ...t, language: t.commentLanguage };
  }

  orderId(ctx: ConnectionContext, dealId: string): string {
    const account =
      scalarText(ctx.account.memberId) || scalarText(ctx.account.accountKey) || ctx.id;
    const portal = createHash('sha256').update(account).digest('hex').slice(0, 10);
    return `b24-${portal}-${dealId}`;
  }

  accountIds(account: Record<string, unknown>): string[] {
    return [account.memberId, account.domain, account.accountKey]
      .filter((v): v is string => typeof v === 'string' && v !== '')
      .map((v) => v.toLowerCase());
  }

  parseInbound(body: unknown): InboundHint {
    const event = formText(body, ['event'])?.toUpperCase();
    if (!event) throw new Error('event: required');
    const id = formText(body, ['data', 'FIELDS', 'ID']);
    if (!id || !/^\d{1,18}$/.test(id)) throw new Error('data[FIELDS][ID]: must be a deal id');
    const token = formText(body, ['auth', 'application_token']);
    if (!token) throw new Error('auth[application_token]: required');
    const memberId = formText(body, ['auth', 'member_id'])?.toLowerCase();
    const domain = formText(body, ['auth', 'domain'])?.toLowerCase();
    if (!memberId && !domain) throw new Error('auth[domain]: required (or auth[member_id])');
    const ts = formText(body, ['ts']) ?? '';
    return {
      eventType: event,
      items: [{ entityId: id, dedupKey: `${memberId ?? domain}:${event}:${id}:${ts}` }],
      accountIds: [memberId, domain].filter((v): v is string => !!v),
      applicationToken: token,
    };
  }

  async read(ctx: ConnectionContext, dealId: string): Promise<EntitySnapshot> {
    const trigger = this.trigger(ctx);
    const client = await this.client(ctx);
    const deal = await client.call<Record<string, unknown>>('crm.deal.get', { id: dealId });
    const stage = scalarText(deal.STAGE_ID);
    const inTrigger =
      !!trigger && stage === triggerStageFor(trigger.stageId, Number(deal.CATEGORY_ID ?? 0));
    const amount = typeof deal.OPPORTUNITY === 'string' ? deal.OPPORTUNITY : null;
    return {
      entityId: dealId,
      inTrigger,
      amount: amount && Number(amount) > 0 ? amount : null,
      currency: typeof deal.CURRENCY_ID === 'string' ? deal.CURRENCY_ID : null,
      phone: inTrigger ? await this.phone(client, dealId) : null,
      stageEnteredAt: scalarText(deal.MOVED_TIME) || undefined,
    };
  }

  private async phone(client: Bitrix24Client, dealId: string): Promise<string | null> {
    const items = await client.call<ContactItem[]>('crm.deal.contact.items.get', { id: dealId });
    const list = Array.isArray(items) ? items : [];
    const primary = list.find((i) => i.IS_PRIMARY === 'Y') ?? list[0];
    if (!primary?.CONTACT_ID) return null;
    const contact = await client.call<{ PHONE?: Array<{ VALUE?: string }> }>('crm.contact.get', {
      id: String(primary.CONTACT_ID),
    });
    return contact?.PHONE?.find((p) => typeof p.VALUE === 'string' && p.VALUE)?.VALUE ?? null;
  }

  async writeLink(ctx: ConnectionContext, dealId: string, link: LinkWriteBack): Promise<void> {
    const field = this.trigger(ctx)?.linkField;
    if (!field) return;
    const client = await this.client(ctx);
    await client.call('crm.deal.update', {
      id: dealId,
      fields: { [field]: link.text },
      params: { REGISTER_SONET_EVENT: 'N' },
    });
  }

  async note(ctx: ConnectionContext, dealId: string, text: string): Promise<void> {
    const client = await this.client(ctx);
    await client.call('crm.timeline.comment.add', {
      fields: { ENTITY_ID: Number(dealId), ENTITY_TYPE: 'deal', COMMENT: text },
    });
  }

  /** Only an application (OAuth) may bind; a webhook connection uses the outgoing webhook. */
  async subscribe(ctx: ConnectionContext, handler: string): Promise<boolean> {
    const client = await this.client(ctx);
    if (!(await this.isApp(ctx))) return false;
    const bound = await client.call<Array<{ event?: string; handler?: string }>>('event.get');
    for (const event of DEAL_EVENTS.slice(0, 1)) {
      const have = (bound ?? []).some(
        (b) => b.event?.toUpperCase() === event && b.handler === handler,
      );
      if (!have) await client.call('event.bind', { event, handler });
    }
    return true;
  }

  async unsubscribe(ctx: ConnectionContext, handler: string): Promise<void> {
    if (!(await this.isApp(ctx))) return;
    const client = await this.client(ctx);
    for (const event of DEAL_EVENTS.slice(0, 1)) {
      await client.call('event.unbind', { event, handler });
    }
  }

  /**
   * An app's event whose token the hub has not learned yet: its access token must work for
   * this app (`app.info` answers with our client id) on the connected portal's endpoint.
   */
  async proveSender(ctx: ConnectionContext, body: unknown): Promise<boolean> {
    const token = formText(body, ['auth', 'access_token']);
    const endpoint = ctx.account.clientEndpoint;
    if (!token || typeof endpoint !== 'string' || !(await this.isApp(ctx))) return false;
    if (formText(body, ['auth', 'client_endpoint']) !== endpoint) return false;
    await ctx.pace?.();
    try {
      const http = createHttpClient({ baseURL: endpoint, timeoutMs: 10000 });
      const res = await http.post<{ result?: { CODE?: string } }>('app.info.json', { auth: token });
      const clientId = this.config.crm.bitrix24.clientId;
      return !!clientId && res.data?.result?.CODE === clientId;
    } catch {
      return false;
    }
  }

  private async isApp(ctx: ConnectionContext): Promise<boolean> {
    return !(await isWebhookConnection(ctx));
  }

  private client(ctx: ConnectionContext): Promise<Bitrix24Client> {
    return connectionClient(ctx, this.tokens);
  }
}
