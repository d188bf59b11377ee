import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Connection } from '../connections/connection.entity';
import { ConnectionsService } from '../connections/connections.service';
import { isDestination } from '../connectors';
import { ConnectorRegistry } from '../connectors/connector.registry';
import type { CrmOrderView, ReadOrder } from '../connectors/crm-connector';
import { rankOf } from './exception-types';
import type { Period } from './report-matcher';
import { PAID_ORDERS_FOR_DESTINATIONS } from './report-matcher';
import type { DestinationReport } from './reconciliation-views';

/** Orders per read call: keeps memory bounded and each call's batches full. */
const READ_CHUNK = 2500;

interface PaidOrder {
  order_id: string;
  amount_minor: string | null;
  currency: string | null;
  event_id: string | null;
  external_id: string | null;
}

/**
 * Reads back every active destination for the orders the journal holds as paid, through the
 * connector's batch `read` (paced by the account's rate limit), and records an exception for
 * each order the destination does not show, or does not show as paid.
 */
@Injectable()
export class ReconciliationDestinations {
  private readonly logger = new Logger(ReconciliationDestinations.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly connections: ConnectionsService,
    private readonly registry: ConnectorRegistry,
  ) {}

  async check(runId: string, period: Period | null): Promise<DestinationReport[]> {
    const targets = await this.ds.getRepository(Connection).find({
      where: { status: 'active' },
      order: { createdAt: 'ASC' },
    });
    const reports: DestinationReport[] = [];
    for (const connection of targets.filter((c) => !c.deletedAt && isDestination(c.type))) {
      reports.push(await this.checkOne(runId, period, connection));
    }
    return reports;
  }

  private async checkOne(
    runId: string,
    period: Period | null,
    connection: Connection,
  ): Promise<DestinationReport> {
    const report: DestinationReport = {
      connectionId: connection.id,
      type: connection.type,
      displayName: connection.displayName,
      checked: 0,
      supported: true,
    };
    const orders = await this.ds.query<PaidOrder[]>(
      `SELECT p.order_id, p.amount_minor, p.currency,
         (SELECT e.id FROM payment_events e WHERE e.order_id = p.order_id AND e.applied
            AND e.type = 'paid' ORDER BY e.verified_at DESC LIMIT 1) AS event_id,
         COALESCE(
           (SELECT c.external_id FROM crm_entities c WHERE c.connection_id = $2
              AND c.order_id = p.order_id ORDER BY c.updated_at DESC LIMIT 1),
           (SELECT d.external_id FROM deliveries d WHERE d.connection_id = $2
              AND d.order_id = p.order_id AND d.external_id IS NOT NULL
              ORDER BY d.seq DESC LIMIT 1)) AS external_id
       FROM (${PAID_ORDERS_FOR_DESTINATIONS}) p`,
      [runId, connection.id, period?.from ?? null, period?.to ?? null],
    );
    const ctx = this.connections.context(connection);
    const connector = this.registry.get(connection.type);
    try {
      for (let i = 0; i < orders.length; i += READ_CHUNK) {
        const part: ReadOrder[] = orders.slice(i, i + READ_CHUNK).map((o) => ({
          orderId: o.order_id,
          status: 'paid',
          amountMinor: o.amount_minor === null ? null : Number(o.amount_minor),
          currency: o.currency,
          eventId: o.event_id,
          externalId: o.external_id,
        }));
        const result = await connector.read(ctx, part);
        if (!result.supported) {
          return { ...report, supported: false, reason: result.reason };
        }
        report.checked += part.length;
        await this.record(runId, connection, part, result.orders);
      }
    } catch (err) {
      const message = (err as Error).message;
      this.logger.warn(`read-back of connection ${connection.id} failed: ${message}`);
      return { ...report, error: message.slice(0, 500) };
    }
    return report;
  }

  private async record(
    runId: string,
    connection: Connection,
    asked: ReadOrder[],
    views: CrmOrderView[],
  ): Promise<void> {
    const byOrder = new Map(views.map((v) => [v.orderId, v]));
    const rows: Array<{
      type: 'destination_missing' | 'destination_not_paid';
      o: ReadOrder;
      v?: CrmOrderView;
    }> = [];
    for (const o of asked) {
      const v = byOrder.get(o.orderId);
      if (!v?.found) rows.push({ type: 'destination_missing', o, v });
      else if (v.inStatus === false) rows.push({ type: 'destination_not_paid', o, v });
    }
    if (!rows.length) return;
    await this.ds.query(
      `INSERT INTO reconciliation_exceptions (run_id, type, rank, order_id, connection_id,
         connection_type, amount_minor, currency, detail)
       SELECT $1, t, CASE t WHEN 'destination_missing' THEN $2::int ELSE $3::int END, o, $4, $5,
         a, c, d
       FROM unnest($6::text[], $7::text[], $8::bigint[], $9::text[], $10::jsonb[]) AS x(t, o, a, c, d)`,
      [
        runId,
        rankOf('destination_missing'),
        rankOf('destination_not_paid'),
        connection.id,
        connection.type,
        rows.map((r) => r.type),
        rows.map((r) => r.o.orderId),
        rows.map((r) => r.o.amountMinor),
        rows.map((r) => r.o.currency),
        rows.map((r) =>
          JSON.stringify({
            connectionName: connection.displayName,
            journal: { status: r.o.status, amountMinor: r.o.amountMinor, currency: r.o.currency },
            destination: r.v?.found
              ? {
                  externalId: r.v.externalId,
                  state: r.v.state,
                  amountMinor: r.v.amountMinor,
                  currency: r.v.currency,
                  noteFound: r.v.noteFound,
                }
              : null,
          }),
        ),
      ],
    );
  }
}
