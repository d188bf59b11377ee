import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../database/transformers';
import type { PaymentEventV1 } from './payment-event';
import type { PaymentStatus } from '../domain/payment-status';

@Entity('payment_events')
export class PaymentEventRow {
  @PrimaryColumn('uuid') id: string;
  @Column('int', { name: 'schema_version' }) schemaVersion: number;
  @Column('text', { name: 'order_id' }) orderId: string;
  @Column('uuid', { name: 'attempt_id', nullable: true }) attemptId: string | null;
  @Column('uuid', { name: 'raw_event_id', nullable: true }) rawEventId: string | null;
  @Column('text') type: PaymentStatus;
  @Column('text', { name: 'previous_status', nullable: true }) previousStatus: string | null;
  @Column('boolean') applied: boolean;
  @Column('bigint', { name: 'amount_minor', nullable: true, transformer: bigintNumber })
  amountMinor: number | null;
  @Column('text', { nullable: true }) currency: string | null;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt: Date;
  @Column('timestamptz', { name: 'verified_at' }) verifiedAt: Date;
  @Column('jsonb') payload: PaymentEventV1;
}
