import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../database/transformers';
import type { CrmRefs } from '../connectors';
import type { PaymentStatus } from '../domain/payment-status';

export type { CrmRefs } from '../connectors';

@Entity('payment_orders')
export class PaymentOrder {
  @PrimaryColumn('text', { name: 'order_id' }) orderId: string;
  @Column('text') status: PaymentStatus;
  @Column('bigint', { name: 'amount_minor', nullable: true, transformer: bigintNumber })
  amountMinor: number | null;
  @Column('text', { nullable: true }) currency: string | null;
  @Column('text', { name: 'customer_phone', nullable: true }) customerPhone: string | null;
  @Column('text', { name: 'customer_id', nullable: true }) customerId: string | null;
  @Column('jsonb') crm: CrmRefs;
  @Column('jsonb') metadata: Record<string, unknown>;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
