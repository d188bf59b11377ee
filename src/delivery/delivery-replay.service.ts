import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, Not } from 'typeorm';
import { Connection } from '../connections/connection.entity';
import { AuditService } from '../audit/audit.service';
import { ConnectionsService } from '../connections/connections.service';
import { ConnectorRegistry } from '../connectors/connector.registry';
import { isDestination } from '../connectors';
import type { PaymentEventV1 } from '../payments/payment-event';
import { enqueueDeliveries } from './delivery-queue';
import { Delivery } from './delivery.entity';

export interface ReplayPlanItem {
  eventId: string;
  type: PaymentEventV1['type'];
  connectionId: string;
  deliveryId: string | null;
  currentStatus: string | null;
  action: 'create' | 'replay' | 'wait';
  wouldSend?: unknown;
}

@Injectable()
export class DeliveryReplayService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly connections: ConnectionsService,
    private readonly registry: ConnectorRegistry,
    private readonly audit: AuditService,
  ) {}

  async replayOrder(
    orderId: string,
    connectionId: string | undefined,
    dryRun: boolean,
  ): Promise<{ orderId: string; dryRun: boolean; items: ReplayPlanItem[] }> {
    const events = await this.ds.query<{ payload: PaymentEventV1 }[]>(
      `SELECT payload FROM payment_events WHERE order_id = $1 AND applied ORDER BY verified_at`,
      [orderId],
    );
    if (events.length === 0) {
      throw new NotFoundException(`orderId: no verified events for order "${orderId}"`);
    }
    const targets = connectionId
      ? [await this.connections.get(connectionId)]
      : await this.ds.getRepository(Connection).find({
          where: { deletedAt: IsNull(), status: Not('disabled') },
          order: { createdAt: 'ASC' },
        });
    const existingRows = await this.ds.query<
      { id: string; status: string; event_id: string; connection_id: string }[]
    >(
      `SELECT id, status, event_id, connection_id FROM deliveries
       WHERE order_id = $1 AND connection_id = ANY($2::uuid[])`,
      [orderId, targets.map((t) => t.id)],
    );
    const existingOf = new Map(existingRows.map((r) => [`${r.event_id}/${r.connection_id}`, r]));

    const items: ReplayPlanItem[] = [];
    for (const connection of targets.filter((t) => isDestination(t.type))) {
      const ctx = this.connections.context(connection);
      for (const { payload: event } of events) {
        const existing = existingOf.get(`${event.id}/${connection.id}`);
        items.push({
          eventId: event.id,
          type: event.type,
          connectionId: connection.id,
          deliveryId: existing?.id ?? null,
          currentStatus: existing?.status ?? null,
          action: !existing ? 'create' : existing.status === 'in_progress' ? 'wait' : 'replay',
          wouldSend: dryRun ? await this.registry.get(ctx.type).plan(ctx, event) : undefined,
        });
      }
    }
    if (dryRun) return { orderId, dryRun, items };

    await this.ds.transaction(async (m) => {
      for (const item of items) {
        if (item.action === 'create') {
          const [row] = await m.query<{ id: string }[]>(
            `INSERT INTO deliveries (event_id, connection_id, order_id) VALUES ($1, $2, $3)
             ON CONFLICT (event_id, connection_id) DO UPDATE SET updated_at = now() RETURNING id`,
            [item.eventId, item.connectionId, orderId],
          );
          item.deliveryId = row.id;
        } else if (item.action === 'replay') {
          await m.query(
            `UPDATE deliveries SET status = 'pending', next_attempt_at = now(), locked_until = NULL,
               updated_at = now() WHERE id = $1`,
            [item.deliveryId],
          );
        }
      }
      // Each gets a job; the per-order ordering check lets only the oldest open one run first.
      await enqueueDeliveries(
        m,
        items.filter((i) => i.action !== 'wait').map((i) => i.deliveryId!),
      );
      await this.audit.record(
        {
          kind: 'delivery.replay',
          actor: 'admin',
          orderId,
          data: { connectionId: connectionId ?? 'all', deliveries: items.length },
        },
        m,
      );
    });
    return { orderId, dryRun, items };
  }

  async replay(id: string, actor = 'admin'): Promise<Delivery> {
    const found = await this.ds.getRepository(Delivery).findOneBy({ id });
    if (!found) throw new NotFoundException(`id: no delivery "${id}"`);
    if (found.status === 'in_progress') {
      throw new ConflictException('status: the delivery is in progress; try again shortly');
    }
    await this.ds.transaction(async (m) => {
      await m.query(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = now(), locked_until = NULL,
           updated_at = now() WHERE id = $1`,
        [id],
      );
      await enqueueDeliveries(m, [id]);
      await this.audit.record(
        {
          kind: 'delivery.replay',
          actor,
          orderId: found.orderId,
          eventId: found.eventId,
          data: { deliveryId: id, connectionId: found.connectionId, previousStatus: found.status },
        },
        m,
      );
    });
    return (await this.ds.getRepository(Delivery).findOneBy({ id }))!;
  }
}
