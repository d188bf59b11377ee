import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEntry } from './audit-entry.entity';

export interface AuditRecord {
  kind: string;
  actor: string;
  orderId?: string | null;
  attemptId?: string | null;
  eventId?: string | null;
  rawEventId?: string | null;
  data?: Record<string, unknown>;
}

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async record(records: AuditRecord | AuditRecord[], manager?: EntityManager): Promise<void> {
    const list = Array.isArray(records) ? records : [records];
    if (list.length === 0) return;
    const params: unknown[] = [];
    const values = list.map((r) => {
      params.push(
        r.orderId ?? null,
        r.attemptId ?? null,
        r.eventId ?? null,
        r.rawEventId ?? null,
        r.kind,
        r.actor,
        JSON.stringify(r.data ?? {}),
      );
      const n = params.length;
      return `($${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n}::jsonb)`;
    });
    await (manager ?? this.ds.manager).query(
      `INSERT INTO audit_log (order_id, attempt_id, event_id, raw_event_id, kind, actor, data)
       VALUES ${values.join(', ')}`,
      params,
    );
  }

  listForOrder(orderId: string): Promise<AuditEntry[]> {
    return this.ds.getRepository(AuditEntry).find({ where: { orderId }, order: { id: 'ASC' } });
  }
}
