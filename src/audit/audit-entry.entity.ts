import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE). */
@Entity('audit_log')
export class AuditEntry {
  @PrimaryColumn('bigint') id: string;
  @Column('timestamptz') at: Date;
  @Column('text', { name: 'order_id', nullable: true }) orderId: string | null;
  @Column('uuid', { name: 'attempt_id', nullable: true }) attemptId: string | null;
  @Column('uuid', { name: 'event_id', nullable: true }) eventId: string | null;
  @Column('uuid', { name: 'raw_event_id', nullable: true }) rawEventId: string | null;
  @Column('text') kind: string;
  @Column('text') actor: string;
  @Column('jsonb') data: Record<string, unknown>;
}
