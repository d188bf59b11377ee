import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRecord, AuditService } from '../audit/audit.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ConnectionEvents } from '../connections/connection-events';
import { ConnectionsService } from '../connections/connections.service';
import type { DeliveryItemResult, DeliveryLink } from '../connectors/crm-connector';
import type { PaymentEventV1 } from '../payments/payment-event';
import { DELIVERY_MAX_ATTEMPTS, deliveryBackoffMs } from '../queue/queues';
import { attemptAudit } from './delivery-attempt-audit';
import { keepLeased, LeaseKeeper } from './delivery-lease';
import { enqueueDeliveries, unparkDeliveries } from './delivery-queue';
import type { AttemptReport, DeliveryFilter } from './delivery.dto';
import { Delivery, DeliveryStatus } from './delivery.entity';

export interface ClaimedDelivery {
  id: string;
  seq: string;
  orderId: string;
  attempts: number;
  event: PaymentEventV1;
  link: DeliveryLink | null;
}

/** Open = not finished; an open earlier delivery of the same order blocks a later one. */
const NO_OPEN_PREDECESSOR = `NOT EXISTS (
  SELECT 1 FROM deliveries p
  WHERE p.connection_id = d.connection_id AND p.order_id = d.order_id AND p.seq < d.seq
    AND p.status NOT IN ('delivered','dead','skipped'))`;
const CLAIMABLE = `(d.status IN ('pending','retry_scheduled')
  OR (d.status = 'in_progress' AND d.locked_until < now()))`;

@Injectable()
export class DeliveryService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: ConnectionsService,
    private readonly audit: AuditService,
    events: ConnectionEvents,
  ) {
    events.onReconnected(unparkDeliveries);
  }

  async createForEvent(m: EntityManager, event: PaymentEventV1): Promise<number> {
    const targets = await this.connections.listReceiving(m);
    if (targets.length === 0) return 0;
    const rows = await m.query<{ id: string; status: DeliveryStatus }[]>(
      `INSERT INTO deliveries (event_id, connection_id, order_id, status)
       SELECT $1, c.id, $2, CASE WHEN c.status = 'active' THEN 'pending' ELSE 'parked' END
       FROM unnest($3::uuid[]) AS c_id JOIN connections c ON c.id = c_id
       ON CONFLICT (event_id, connection_id) DO NOTHING
       RETURNING id, status`,
      [event.id, event.orderId, targets.map((t) => t.id)],
    );
    await enqueueDeliveries(
      m,
      rows.filter((r) => r.status === 'pending').map((r) => r.id),
    );
    return rows.length;
  }

  load(id: string): Promise<Delivery | null> {
    return this.ds.getRepository(Delivery).findOneBy({ id });
  }

  async blocked(id: string): Promise<boolean> {
    const rows = await this.ds.query<unknown[]>(
      `SELECT 1 FROM deliveries d WHERE d.id = $1 AND NOT ${NO_OPEN_PREDECESSOR}`,
      [id],
    );
    return rows.length > 0;
  }

  /** About how many rows a call could claim now, up to `max` (an order's later events count too). */
  async readyCount(connectionId: string, max: number): Promise<number> {
    const [row] = await this.ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM deliveries WHERE connection_id = $1
           AND status IN ('pending','retry_scheduled') AND next_attempt_at <= now() LIMIT $2) r`,
      [connectionId, max],
    );
    return row.n;
  }

  // Never two of one order; a dead worker's rows go back to the sweeper when the lease ends.
  claimBatch(firstId: string, connectionId: string, max: number): Promise<ClaimedDelivery[]> {
    return this.ds.transaction(async (m) => {
      const first = await m.query<{ id: string }[]>(
        `SELECT d.id FROM deliveries d
         WHERE d.id = $1 AND ${CLAIMABLE} AND d.next_attempt_at <= now() + interval '1 second'
           AND ${NO_OPEN_PREDECESSOR}
         FOR UPDATE SKIP LOCKED`,
        [firstId],
      );
      if (first.length === 0) return [];
      const more =
        max > 1
          ? await m.query<{ id: string }[]>(
              `SELECT d.id FROM deliveries d
               WHERE d.connection_id = $1 AND d.id <> $2
                 AND d.status IN ('pending','retry_scheduled') AND d.next_attempt_at <= now()
                 AND ${NO_OPEN_PREDECESSOR}
               ORDER BY d.seq LIMIT $3
               FOR UPDATE SKIP LOCKED`,
              [connectionId, firstId, max - 1],
            )
          : [];
      const ids = [firstId, ...more.map((r) => r.id)];
      return m.query<ClaimedDelivery[]>(
        `WITH claimed AS (
           UPDATE deliveries SET status = 'in_progress', attempts = attempts + 1,
             locked_until = now() + make_interval(secs => $2), updated_at = now()
           WHERE id = ANY($1::uuid[])
           RETURNING id, seq, order_id, attempts, event_id
         )
         SELECT c.id, c.seq, c.order_id AS "orderId", c.attempts, e.payload AS event,
           CASE WHEN l.id IS NULL THEN NULL
             ELSE json_build_object('id', l.id, 'url', l.url, 'description', l.description)
           END AS link
         FROM claimed c JOIN payment_events e ON e.id = c.event_id
           LEFT JOIN payment_links l ON l.attempt_id = e.attempt_id
         ORDER BY c.seq`,
        [ids, this.config.workers.deliveryLeaseSeconds],
      );
    });
  }

  keepLeased(ids: string[]): LeaseKeeper {
    return keepLeased(this.ds, ids, this.config.workers.deliveryLeaseSeconds);
  }

  async complete(
    claimed: ClaimedDelivery[],
    results: DeliveryItemResult[],
    report: AttemptReport,
  ): Promise<Array<{ id: string; status: DeliveryStatus }>> {
    const byId = new Map(results.map((r) => [r.deliveryId, r]));
    return this.ds.transaction(async (m) => {
      const outcomes: Array<{ id: string; status: DeliveryStatus }> = [];
      const audits: AuditRecord[] = [];
      const wake: string[] = [];
      let authFailure: string | undefined;
      const staleAuth = await this.reconnectedDuring(m, results, report);
      // The common case, a delivered batch, is one UPDATE rather than one per item.
      const claimedIds = new Set(claimed.map((c) => c.id));
      await this.markDelivered(
        m,
        results.filter(
          (r): r is Extract<DeliveryItemResult, { outcome: 'delivered' }> =>
            r.outcome === 'delivered' && claimedIds.has(r.deliveryId),
        ),
      );
      for (const item of claimed) {
        const result: DeliveryItemResult = byId.get(item.id) ?? {
          deliveryId: item.id,
          outcome: 'skipped',
          reason: 'connector returned no result for this item',
        };
        const status =
          result.outcome === 'delivered'
            ? 'delivered'
            : await this.applyResult(m, item, result, staleAuth);
        if (status !== 'retry_scheduled' && status !== 'parked') wake.push(item.id);
        if (result.outcome === 'failed' && result.error.kind === 'auth' && !staleAuth) {
          authFailure = `${result.error.code}: ${result.error.message}`;
        }
        outcomes.push({ id: item.id, status });
        audits.push(attemptAudit(item, result, status, report, claimed.length));
      }
      await this.audit.record(audits, m);
      await this.wakeSuccessors(m, wake);
      if (authFailure) {
        await this.connections.markNeedsReconnect(report.connectionId, authFailure, m);
      }
      return outcomes;
    });
  }

  private async markDelivered(
    m: EntityManager,
    delivered: Extract<DeliveryItemResult, { outcome: 'delivered' }>[],
  ): Promise<void> {
    if (delivered.length === 0) return;
    await m.query(
      `UPDATE deliveries d SET status = 'delivered', delivered_at = now(), locked_until = NULL,
         external_id = coalesce(v.external_id, d.external_id),
         external_url = coalesce(v.external_url, d.external_url),
         last_error_kind = NULL, last_error_code = NULL, last_error = NULL, updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS v(id, external_id, external_url)
       WHERE d.id = v.id`,
      [
        delivered.map((r) => r.deliveryId),
        delivered.map((r) => r.externalId ?? null),
        delivered.map((r) => r.externalUrl ?? null),
      ],
    );
  }

  // Re-authorized while this attempt ran: its auth failure came from the old credentials.
  private async reconnectedDuring(
    m: EntityManager,
    results: DeliveryItemResult[],
    report: AttemptReport,
  ): Promise<boolean> {
    if (!results.some((r) => r.outcome === 'failed' && r.error.kind === 'auth')) return false;
    const [row] = await m.query<{ changed: boolean }[]>(
      `SELECT updated_at > now() - make_interval(secs => $2::float8 / 1000) AS changed
       FROM connections WHERE id = $1`,
      [report.connectionId, report.durationMs],
    );
    return row?.changed === true;
  }

  private async applyResult(
    m: EntityManager,
    item: ClaimedDelivery,
    result: Exclude<DeliveryItemResult, { outcome: 'delivered' }>,
    staleAuth = false,
  ): Promise<DeliveryStatus> {
    if (result.outcome === 'skipped') {
      await this.finish(m, item.id, 'skipped', null, null, result.reason);
      return 'skipped';
    }
    const { error } = result;
    if (error.kind === 'auth' && !staleAuth) {
      await this.finish(m, item.id, 'parked', error.kind, error.code, error.message);
      return 'parked';
    }
    if (error.kind === 'permanent' || item.attempts >= DELIVERY_MAX_ATTEMPTS) {
      await this.finish(m, item.id, 'dead', error.kind, error.code, error.message);
      return 'dead';
    }
    const at = new Date(Date.now() + deliveryBackoffMs(item.attempts, error.retryAfterMs));
    await m.query(
      `UPDATE deliveries SET status = 'retry_scheduled', next_attempt_at = $2, locked_until = NULL,
         last_error_kind = $3, last_error_code = $4, last_error = $5, updated_at = now()
       WHERE id = $1`,
      [item.id, at, error.kind, error.code, error.message.slice(0, 1000)],
    );
    await enqueueDeliveries(m, [item.id], at);
    return 'retry_scheduled';
  }

  private async finish(
    m: EntityManager,
    id: string,
    status: DeliveryStatus,
    kind: string | null,
    code: string | null,
    message: string | null,
  ): Promise<void> {
    await m.query(
      `UPDATE deliveries SET status = $2, locked_until = NULL, last_error_kind = $3,
         last_error_code = $4, last_error = $5, updated_at = now()
       WHERE id = $1`,
      [id, status, kind, code, message?.slice(0, 1000) ?? null],
    );
  }

  private async wakeSuccessors(m: EntityManager, finished: string[]): Promise<void> {
    if (finished.length === 0) return;
    const next = await m.query<{ id: string }[]>(
      `SELECT DISTINCT ON (n.connection_id, n.order_id) n.id
       FROM deliveries f JOIN deliveries n
         ON n.connection_id = f.connection_id AND n.order_id = f.order_id AND n.seq > f.seq
       WHERE f.id = ANY($1::uuid[]) AND n.status IN ('pending','retry_scheduled')
       ORDER BY n.connection_id, n.order_id, n.seq`,
      [finished],
    );
    await enqueueDeliveries(
      m,
      next.map((r) => r.id),
    );
  }

  async setWithoutAttempt(id: string, status: 'skipped' | 'parked', reason: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      await this.finish(m, id, status, null, null, reason);
      if (status === 'skipped') await this.wakeSuccessors(m, [id]);
    });
  }

  list(filter: DeliveryFilter): Promise<Delivery[]> {
    const qb = this.ds.getRepository(Delivery).createQueryBuilder('d').orderBy('d.seq', 'DESC');
    if (filter.status) qb.andWhere('d.status = :status', { status: filter.status });
    if (filter.connectionId) qb.andWhere('d.connection_id = :c', { c: filter.connectionId });
    if (filter.orderId) qb.andWhere('d.order_id = :o', { o: filter.orderId });
    return qb.take(filter.limit).skip(filter.offset).getMany();
  }

  listForOrder(orderId: string): Promise<Delivery[]> {
    return this.ds.getRepository(Delivery).find({ where: { orderId }, order: { seq: 'ASC' } });
  }
}
