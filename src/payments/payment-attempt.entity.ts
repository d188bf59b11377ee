import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../database/transformers';
import type { PaymentStatus } from '../domain/payment-status';

/** One provider payment session of an order; a customer's retry is a new attempt. */
@Entity('payment_attempts')
export class PaymentAttempt {
  @PrimaryColumn('uuid') id: string;
  @Column('text', { name: 'order_id' }) orderId: string;
  @Column('int', { name: 'attempt_no' }) attemptNo: number;
  @Column('text') provider: string;
  @Column('text', { name: 'provider_payment_id', nullable: true }) providerPaymentId: string | null;
  @Column('text') status: PaymentStatus;
  @Column('bigint', { name: 'amount_minor', nullable: true, transformer: bigintNumber })
  amountMinor: number | null;
  @Column('text', { nullable: true }) currency: string | null;
  @Column('bigint', { name: 'refunded_amount_minor', transformer: bigintNumber })
  refundedAmountMinor: number;
  @Column('timestamptz', { name: 'status_changed_at' }) statusChangedAt: Date;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
