import {
  HttpException,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ConnectionsService } from '../connections/connections.service';
import { Connection } from '../connections/connection.entity';
import { ConnectorError, type ConnectionContext } from '../connectors/crm-connector';
import type {
  CrmLinkSource,
  EntitySnapshot,
  LinkTriggerView,
} from '../connectors/shared/link-source';
import { normalizePhone } from '../payment-links/phone';
import { PaymentLinksService } from '../payment-links/payment-links.service';
import type { CreatePaymentLinkDto } from '../payment-links/payment-links.dto';
import { isRefusal, linkAmount, type LinkAmount } from './crm-link-amount';
import { CrmLinkSources } from './crm-link-sources';
import { linkNoteText, refusalKey, refusalText } from './crm-link-text';

const SETTLED = ['paid', 'partially_refunded', 'refunded'];
const OPEN = ['creating', 'active'];

interface EventRow {
  id: string;
  connection_id: string;
  entity_id: string;
  status: string;
  rechecks: number;
}

interface EntityRow {
  order_id: string;
  generation: number;
  written_link_id: string | null;
  refusal: string | null;
  left_stage: boolean;
  entered_at: string | null;
}

/**
 * One CRM event: under a per-entity lock, read the deal or lead, then refuse (said once),
 * reuse the open link, or make a new attempt, and write the link back once.
 */
@Injectable()
export class CrmLinkWorker {
  private readonly logger = new Logger(CrmLinkWorker.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: ConnectionsService,
    private readonly sources: CrmLinkSources,
    private readonly links: PaymentLinksService,
  ) {}

  async process(eventId: string): Promise<string> {
    const [event] = await this.ds.query<EventRow[]>(
      `SELECT id, connection_id, entity_id, status, rechecks FROM crm_events WHERE id = $1`,
      [eventId],
    );
    if (!event || event.status !== 'received') return 'noop';
    const connection = await this.ds.getRepository(Connection).findOneBy({
      id: event.connection_id,
    });
    const source = connection && this.sources.find(connection.type);
    if (!connection || !source || connection.deletedAt || connection.status !== 'active') {
      return this.finish(event, 'ignored', 'the connection is not active');
    }
    const ctx = this.connections.context(connection);
    const trigger = source.trigger(ctx);
    if (!trigger) return this.finish(event, 'ignored', 'no payment-link trigger');
    try {
      const outcome = await this.locked(`${connection.id}:${event.entity_id}`, () =>
        this.act(source, ctx, trigger, event.entity_id),
      );
      return this.finish(event, 'processed', outcome);
    } catch (err) {
      if (err instanceof ConnectorError && err.kind !== 'retryable') {
        return this.finish(event, 'failed', err.message);
      }
      throw err;
    }
  }

  private async act(
    source: CrmLinkSource,
    ctx: ConnectionContext,
    trigger: LinkTriggerView,
    entityId: string,
  ): Promise<string> {
    const snap = await source.read(ctx, entityId);
    if (!snap.inTrigger) {
      await this.ds.query(
        `UPDATE crm_link_entities SET left_stage = true WHERE connection_id = $1 AND entity_id = $2`,
        [ctx.id, entityId],
      );
      return 'not in the trigger stage';
    }
    const row = await this.entity(ctx.id, entityId, source.orderId(ctx, entityId));
    const language = trigger.language ?? this.config.links.language;
    const amount = linkAmount(snap, trigger, this.config.links.currencies, (c) => this.exp(c));
    if (isRefusal(amount)) {
      const key = refusalKey(amount);
      if (row.refusal === key) return `refused (${key}), already said`;
      await this.setEntity(ctx.id, entityId, { refusal: key });
      await source.note(ctx, entityId, refusalText(amount, language, source.entityName));
      return `refused (${key})`;
    }
    const reentered =
      row.left_stage || (!!snap.stageEnteredAt && snap.stageEnteredAt !== row.entered_at);
    const linkId = await this.linkFor(
      source,
      ctx,
      entityId,
      row,
      amount,
      snap,
      reentered,
      language,
    );
    if (typeof linkId !== 'string') return linkId.skip;
    const view = await this.links.get(linkId);
    if (!view.url) return `link ${linkId} has no URL yet`;
    if (row.written_link_id === linkId) return `link ${linkId} already written back`;
    // Claimed before writing: a crash in between loses a note rather than doubling it.
    await this.setEntity(ctx.id, entityId, { written_link_id: linkId, refusal: null });
    try {
      const write = { linkId, url: view.url, text: view.whatsapp.text };
      await source.writeLink(ctx, entityId, write);
      await source.note(
        ctx,
        entityId,
        linkNoteText({ ...write, orderId: view.orderId, whatsappUrl: view.whatsapp.url }, language),
      );
    } catch (err) {
      await this.setEntity(ctx.id, entityId, { written_link_id: row.written_link_id });
      throw err;
    }
    return `link ${linkId} written back`;
  }

  /** The open link of the entity's order, or a new attempt (a new order if the amount moved). */
  private async linkFor(
    source: CrmLinkSource,
    ctx: ConnectionContext,
    entityId: string,
    row: EntityRow,
    amount: LinkAmount,
    snap: EntitySnapshot,
    reentered: boolean,
    language: 'hy' | 'ru' | 'en',
  ): Promise<string | { skip: string }> {
    let orderId = row.order_id;
    const [order] = await this.ds.query<
      { status: string; amount_minor: string | null; currency: string | null }[]
    >(`SELECT status, amount_minor, currency FROM payment_orders WHERE order_id = $1`, [orderId]);
    if (order && SETTLED.includes(order.status)) return { skip: 'the order is already paid' };
    const [open] = await this.ds.query<{ id: string }[]>(
      `SELECT id FROM payment_links WHERE order_id = $1 AND status = ANY($2)
       ORDER BY created_at DESC LIMIT 1`,
      [orderId, OPEN],
    );
    if (open) {
      await this.setEntity(ctx.id, entityId, {
        left_stage: false,
        entered_at: snap.stageEnteredAt ?? row.entered_at,
      });
      return open.id;
    }
    const moved =
      !!order &&
      (Number(order.amount_minor) !== amount.amountMinor || order.currency !== amount.currency);
    // A closed attempt is retried only when the deal comes back to the stage or its amount moved,
    // not on any edit (or on our own write-back) while it sits there.
    if (order && !moved && !reentered) {
      return {
        skip: 'the last link is closed; waiting for a move out and back in or a new amount',
      };
    }
    if (moved) {
      const generation = row.generation + 1;
      orderId = `${source.orderId(ctx, entityId)}-${generation}`;
      await this.setEntity(ctx.id, entityId, { order_id: orderId, generation });
    }
    const [{ n }] = await this.ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM payment_links WHERE order_id = $1`,
      [orderId],
    );
    const normalized = snap.phone ? normalizePhone(snap.phone) : undefined;
    const dto: CreatePaymentLinkDto = {
      orderId,
      amountMinor: amount.amountMinor,
      currency: amount.currency,
      customer: { ...(normalized ? { phone: normalized } : {}), id: `${ctx.type}:${entityId}` },
      crm: { [source.refKey]: entityId },
      language,
    };
    try {
      await this.setEntity(ctx.id, entityId, {
        left_stage: false,
        entered_at: snap.stageEnteredAt ?? null,
      });
      const created = await this.links.create(
        dto,
        `crm-link:${orderId}:${n + 1}`,
        `crm:${ctx.type}`,
      );
      return created.link.id;
    } catch (err) {
      // VPOS unreachable: the job retries with the same key. Any other refusal is final.
      if (!(err instanceof HttpException) || err instanceof ServiceUnavailableException) throw err;
      this.logger.warn(`order ${orderId}: ${err.message}`);
      throw new ConnectorError(ctx.type, 'permanent', 'LINK_REFUSED', err.message);
    }
  }

  private async entity(connectionId: string, entityId: string, orderId: string) {
    await this.ds.query(
      `INSERT INTO crm_link_entities (connection_id, entity_id, order_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [connectionId, entityId, orderId],
    );
    const [row] = await this.ds.query<EntityRow[]>(
      `SELECT order_id, generation, written_link_id, refusal, left_stage, entered_at FROM crm_link_entities
       WHERE connection_id = $1 AND entity_id = $2`,
      [connectionId, entityId],
    );
    return row;
  }

  private async setEntity(connectionId: string, entityId: string, set: Partial<EntityRow>) {
    const keys = Object.keys(set) as Array<keyof EntityRow>;
    await this.ds.query(
      `UPDATE crm_link_entities SET ${keys.map((k, i) => `${k} = $${i + 3}`).join(', ')},
         updated_at = now() WHERE connection_id = $1 AND entity_id = $2`,
      [connectionId, entityId, ...keys.map((k) => set[k])],
    );
  }

  /** Events of one entity run one at a time, across workers (a session advisory lock). */
  private async locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [`crm-link:${key}`]);
      try {
        return await work();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [
          `crm-link:${key}`,
        ]);
      }
    } finally {
      await runner.release();
    }
  }

  /** The job gave up (retries spent): the row says why. */
  async giveUp(eventId: string, reason: string): Promise<void> {
    await this.ds.query(
      `UPDATE crm_events SET status = 'failed', outcome = $2, processed_at = now()
       WHERE id = $1 AND status = 'received'`,
      [eventId, reason.slice(0, 1000)],
    );
  }

  /** A repeat that arrived meanwhile keeps the row open for its own job. */
  private async finish(event: EventRow, status: string, outcome: string): Promise<string> {
    await this.ds.query(
      `UPDATE crm_events SET status = $2, outcome = $3, processed_at = now()
       WHERE id = $1 AND rechecks = $4`,
      [event.id, status, outcome.slice(0, 1000), event.rechecks],
    );
    return outcome;
  }

  private exp(currency: string): number {
    return this.config.vpos.currencyExponents[currency] ?? 2;
  }
}
