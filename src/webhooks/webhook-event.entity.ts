import { Column, Entity, PrimaryColumn } from 'typeorm';

export type WebhookEventStatus = 'received' | 'verified' | 'manual_review' | 'ignored' | 'failed';

/** The raw inbox: one row per distinct provider event, kept forever for dedup and audit. */
@Entity('webhook_events')
export class WebhookEvent {
  @PrimaryColumn('uuid') id: string;
  @Column('text') provider: string;
  @Column('text', { name: 'provider_event_id' }) providerEventId: string;
  @Column('text', { name: 'webhook_id', nullable: true }) webhookId: string | null;
  @Column('text', { name: 'event_type', nullable: true }) eventType: string | null;
  @Column('text', { name: 'claimed_order_id', nullable: true }) claimedOrderId: string | null;
  @Column('text', { name: 'claimed_payment_id', nullable: true }) claimedPaymentId: string | null;
  @Column('jsonb') headers: Record<string, string>;
  @Column('text', { name: 'raw_body' }) rawBody: string;
  @Column('timestamptz', { name: 'received_at' }) receivedAt: Date;
  @Column('text') status: WebhookEventStatus;
  @Column('int', { name: 'verify_attempts' }) verifyAttempts: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('timestamptz', { name: 'processed_at', nullable: true }) processedAt: Date | null;
}
