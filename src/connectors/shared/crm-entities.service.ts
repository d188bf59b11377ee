import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface CrmEntityRecord {
  connectionId: string;
  orderId: string;
  entityType: string;
  externalId: string;
  detail: Record<string, unknown>;
}

// A hint the connector checks against the destination, never its truth. `m`: a caller's transaction.
@Injectable()
export class CrmEntitiesService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async getMany(
    connectionId: string,
    entityType: string,
    orderIds: readonly string[],
    m: EntityManager = this.ds.manager,
  ): Promise<Map<string, CrmEntityRecord>> {
    if (orderIds.length === 0) return new Map();
    const rows = await m.query<CrmEntityRecord[]>(
      `SELECT connection_id AS "connectionId", order_id AS "orderId", entity_type AS "entityType",
         external_id AS "externalId", detail
       FROM crm_entities
       WHERE connection_id = $1 AND entity_type = $2 AND order_id = ANY($3::text[])`,
      [connectionId, entityType, [...orderIds]],
    );
    return new Map(rows.map((r) => [r.orderId, r]));
  }

  async forOrders(
    orderIds: readonly string[],
    m: EntityManager = this.ds.manager,
  ): Promise<CrmEntityRecord[]> {
    if (orderIds.length === 0) return [];
    return m.query<CrmEntityRecord[]>(
      `SELECT connection_id AS "connectionId", order_id AS "orderId", entity_type AS "entityType",
         external_id AS "externalId", detail
       FROM crm_entities WHERE order_id = ANY($1::text[])`,
      [[...orderIds]],
    );
  }

  async idsOf(connectionId: string, entityType: string, orderIds: readonly string[]) {
    const rows = await this.getMany(connectionId, entityType, orderIds);
    const ids = [...rows.values()].map((r) => [r.orderId, Number(r.externalId)] as const);
    return new Map(ids.filter(([, id]) => Number.isSafeInteger(id)));
  }

  recordIds(connectionId: string, entityType: string, ids: Array<{ orderId: string; id: number }>) {
    if (ids.length === 0) return Promise.resolve();
    return this.ds.transaction(async (m) => {
      await this.upsert(
        ids.map((e) => ({
          connectionId,
          orderId: e.orderId,
          entityType,
          externalId: String(e.id),
          detail: {},
        })),
        m,
      );
      await m.query(
        `DELETE FROM crm_creates
         WHERE connection_id = $1 AND entity_type = $2 AND order_id = ANY($3::text[])`,
        [connectionId, entityType, ids.map((e) => e.orderId)],
      );
    });
  }

  /**
   * Written before a create is sent; cleared when its id is recorded (recordIds). Returns the orders
   * this caller may create: no other create sent within `freshMs` and none recorded but the one
   * in `stale` (the id the caller read and found gone from the CRM: a deleted deal is made again).
   */
  async creating(
    connectionId: string,
    entityType: string,
    orderIds: readonly string[],
    at: Date,
    freshMs: number,
    stale: ReadonlyMap<string, string | number> = new Map(),
  ): Promise<Set<string>> {
    if (orderIds.length === 0) return new Set();
    const orders = [...new Set(orderIds)];
    const rows = await this.ds.query<Array<{ order_id: string }>>(
      `INSERT INTO crm_creates AS c (connection_id, order_id, entity_type, sent_at)
       SELECT $1, x.o, $2, $4 FROM unnest($3::text[], $6::text[]) AS x(o, stale)
       WHERE NOT EXISTS (SELECT 1 FROM crm_entities e
         WHERE e.connection_id = $1 AND e.entity_type = $2 AND e.order_id = x.o
           AND e.external_id IS DISTINCT FROM x.stale)
       ON CONFLICT (connection_id, order_id, entity_type) DO UPDATE SET sent_at = excluded.sent_at
         WHERE c.sent_at <= $4::timestamptz - make_interval(secs => $5)
       RETURNING order_id`,
      [
        connectionId,
        entityType,
        orders,
        at,
        freshMs / 1000,
        orders.map((o) => (stale.has(o) ? String(stale.get(o)) : null)),
      ],
    );
    return new Set(rows.map((r) => r.order_id));
  }

  async createsInDoubt(
    connectionId: string,
    entityType: string,
    orderIds: readonly string[],
  ): Promise<Map<string, Date>> {
    if (orderIds.length === 0) return new Map();
    const rows = await this.ds.query<Array<{ order_id: string; sent_at: Date }>>(
      `SELECT order_id, sent_at FROM crm_creates
       WHERE connection_id = $1 AND entity_type = $2 AND order_id = ANY($3::text[])`,
      [connectionId, entityType, [...orderIds]],
    );
    return new Map(rows.map((r) => [r.order_id, new Date(r.sent_at)]));
  }

  async upsert(records: readonly CrmEntityRecord[], m: EntityManager = this.ds.manager) {
    if (records.length === 0) return;
    await m.query(
      `INSERT INTO crm_entities (connection_id, order_id, entity_type, external_id, detail)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[])
       ON CONFLICT (connection_id, order_id, entity_type) DO UPDATE
         SET external_id = excluded.external_id, detail = excluded.detail, updated_at = now()`,
      [
        records.map((r) => r.connectionId),
        records.map((r) => r.orderId),
        records.map((r) => r.entityType),
        records.map((r) => r.externalId),
        records.map((r) => JSON.stringify(r.detail)),
      ],
    );
  }
}
