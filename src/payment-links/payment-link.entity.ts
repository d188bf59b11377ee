import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../database/transformers';
import type { PaymentLinkStatus } from '../domain/payment-status';
import type { CrmRefs } from '../payments/payment-order.entity';

export interface LinkCustomer {
  phone?: string;
  id?: string;
  name?: string;
  email?: string;
}

@Entity('payment_links')
export class PaymentLink {
  @PrimaryColumn('uuid') id: string;
  @Column('text', { name: 'order_id' }) orderId: string;
  @Column('uuid', { name: 'attempt_id' }) attemptId: string;
  @Column('uuid', { name: 'product_id', nullable: true }) productId: string | null;
  @Column('text') status: PaymentLinkStatus;
  @Column('bigint', { name: 'amount_minor', transformer: bigintNumber }) amountMinor: number;
  @Column('text') currency: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('jsonb') customer: LinkCustomer;
  @Column('jsonb') crm: CrmRefs;
  @Column('jsonb') metadata: Record<string, unknown>;
  @Column('text') language: 'hy' | 'ru' | 'en';
  @Column('text', { nullable: true }) url: string | null;
  @Column('text', { name: 'provider_session_id', nullable: true }) providerSessionId: string | null;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('text', { name: 'idempotency_key' }) idempotencyKey: string;
  @Column('text', { name: 'request_hash' }) requestHash: string;
  @Column('text', { name: 'created_by' }) createdBy: string;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
