import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Connection } from '../connections/connection.entity';
import { ConnectionEvents } from '../connections/connection-events';
import { ConnectionsService } from '../connections/connections.service';
import { JOBS, jobIdSql, QUEUES } from '../queue/queues';
import { CrmLinkSources } from './crm-link-sources';

/** Where each CRM posts its events: the hub's public inbound routes. */
export function inboundUrl(config: AppConfig, type: string): string {
  return `${config.http.publicBaseUrl}/webhooks/${type}`;
}

/**
 * Keeps each connection's CRM subscription in step with its trigger: bound (Bitrix24
 * `event.bind`, amoCRM `POST /api/v4/webhooks`) while a trigger is set, re-bound on every
 * reconnect, removed when the trigger is cleared or the connection removed.
 */
@Injectable()
export class CrmLinkSubscriptions implements OnModuleInit {
  private readonly logger = new Logger(CrmLinkSubscriptions.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: ConnectionEvents,
    private readonly connections: ConnectionsService,
    private readonly sources: CrmLinkSources,
  ) {}

  onModuleInit(): void {
    this.events.onReconnected(async (m, id) => {
      // A reinstalled app has a new application_token: the next event proves itself again.
      await m.query(
        `UPDATE crm_link_subscriptions SET application_token = NULL WHERE connection_id = $1`,
        [id],
      );
      await this.enqueue(m, id);
      return 0;
    });
    this.events.onChanged(async (m, id, change) => {
      if (change === 'settings') await this.enqueue(m, id);
      else await this.removeNow(id);
    });
  }

  async enqueue(m: EntityManager, connectionId: string): Promise<void> {
    const [row] = await m.query<{ type: string }[]>(`SELECT type FROM connections WHERE id = $1`, [
      connectionId,
    ]);
    if (!row || !this.sources.find(row.type)) return;
    await m.query(
      `INSERT INTO outbox (queue, job_name, job_id, payload)
       VALUES ($1, $2, ${jobIdSql.crmSubscribe('$3::text')}, jsonb_build_object('connectionId', $3::text))`,
      [QUEUES.crmLinks, JOBS.crmSubscribe, connectionId],
    );
  }

  async reconcile(connectionId: string): Promise<string> {
    const connection = await this.ds.getRepository(Connection).findOneBy({ id: connectionId });
    const source = connection && this.sources.find(connection.type);
    if (!connection || !source || connection.deletedAt) return 'noop';
    const ctx = this.connections.context(connection);
    const destination = inboundUrl(this.config, connection.type);
    const [row] = await this.ds.query<{ destination: string | null }[]>(
      `SELECT destination FROM crm_link_subscriptions WHERE connection_id = $1`,
      [connectionId],
    );
    if (!source.trigger(ctx)) {
      if (!row?.destination) return 'nothing subscribed';
      await source.unsubscribe(ctx, row.destination);
      await this.record(connectionId, null);
      return 'unsubscribed';
    }
    // Recorded first: a removal racing this run still knows what to undo.
    await this.record(connectionId, destination);
    const bound = await source.subscribe(ctx, destination);
    if (!bound) await this.record(connectionId, null);
    return bound ? `subscribed ${destination}` : 'the account sends its own (outgoing) webhook';
  }

  /** API side, before the credentials are dropped: best effort, the CRM may be unreachable. */
  private async removeNow(connectionId: string): Promise<void> {
    const [row] = await this.ds.query<{ destination: string | null }[]>(
      `SELECT destination FROM crm_link_subscriptions WHERE connection_id = $1`,
      [connectionId],
    );
    const connection = await this.ds.getRepository(Connection).findOneBy({ id: connectionId });
    const source = connection && this.sources.find(connection.type);
    if (!connection || !source) return;
    try {
      const ctx = this.connections.context(connection);
      // A reconcile job may not have recorded its subscription yet.
      const destination =
        row?.destination ?? (source.trigger(ctx) ? inboundUrl(this.config, connection.type) : null);
      if (!destination) return;
      await source.unsubscribe(ctx, destination);
      await this.record(connectionId, null);
    } catch (err) {
      this.logger.warn(
        `connection ${connectionId}: unsubscribe failed (${(err as Error).message})`,
      );
    }
  }

  private async record(connectionId: string, destination: string | null): Promise<void> {
    await this.ds.query(
      `INSERT INTO crm_link_subscriptions (connection_id, destination) VALUES ($1, $2)
       ON CONFLICT (connection_id) DO UPDATE SET destination = $2, updated_at = now()`,
      [connectionId, destination],
    );
  }
}
