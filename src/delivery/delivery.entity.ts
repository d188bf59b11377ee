import { Column, Entity, PrimaryColumn } from 'typeorm';

export type DeliveryStatus =
  'pending' | 'in_progress' | 'delivered' | 'retry_scheduled' | 'dead' | 'skipped' | 'parked';

export const TERMINAL_DELIVERY: readonly DeliveryStatus[] = ['delivered', 'dead', 'skipped'];

/** One (event, connection) effect; its state lives here, jobs only carry its id. */
@Entity('deliveries')
export class Delivery {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint') seq: string;
  @Column('uuid', { name: 'event_id' }) eventId: string;
  @Column('uuid', { name: 'connection_id' }) connectionId: string;
  @Column('text', { name: 'order_id' }) orderId: string;
  @Column('text') status: DeliveryStatus;
  @Column('int') attempts: number;
  @Column('int', { name: 'enqueue_seq' }) enqueueSeq: number;
  @Column('timestamptz', { name: 'next_attempt_at' }) nextAttemptAt: Date;
  @Column('timestamptz', { name: 'locked_until', nullable: true }) lockedUntil: Date | null;
  @Column('text', { name: 'last_error_kind', nullable: true }) lastErrorKind: string | null;
  @Column('text', { name: 'last_error_code', nullable: true }) lastErrorCode: string | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('text', { name: 'external_id', nullable: true }) externalId: string | null;
  @Column('text', { name: 'external_url', nullable: true }) externalUrl: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
  @Column('timestamptz', { name: 'delivered_at', nullable: true }) deliveredAt: Date | null;
}
