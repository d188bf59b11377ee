import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { CRM_REF_KEYS } from '../connectors';
import type { DeliveryStatus } from '../delivery/delivery.entity';
import { PAYMENT_STATUSES, type PaymentStatus } from '../domain/payment-status';
import type { Mismatch } from './payment-event';
import type { ReviewKind, ReviewResolution, ReviewView } from './payment-reviews';
import type { PaymentView } from './payments.service';

const time = { type: String, format: 'date-time' } as const;
const nullableTime = { ...time, nullable: true } as const;
const nullableText = { type: String, nullable: true } as const;
const nullableInteger = { type: 'integer', nullable: true } as const;
const uuid = { format: 'uuid' } as const;
const DELIVERY_STATUSES: DeliveryStatus[] = [
  'pending',
  'in_progress',
  'delivered',
  'retry_scheduled',
  'dead',
  'skipped',
  'parked',
];

@ApiSchema({ name: 'PaymentAttempt' })
export class PaymentAttemptDto {
  @ApiProperty(uuid) id: string;
  @ApiProperty({ type: 'integer' }) attemptNo: number;
  @ApiProperty({ example: 'vpos' }) provider: string;
  @ApiProperty(nullableText) providerPaymentId: string | null;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status: PaymentStatus;
  @ApiProperty(nullableInteger) amountMinor: number | null;
  @ApiProperty(nullableText) currency: string | null;
  @ApiProperty({ type: 'integer' }) refundedAmountMinor: number;
  @ApiProperty(time) statusChangedAt: Date;
  @ApiProperty(time) createdAt: Date;
}

@ApiSchema({ name: 'PaymentDelivery' })
export class PaymentDeliveryDto {
  @ApiProperty(uuid) id: string;
  @ApiProperty(uuid) eventId: string;
  @ApiProperty(uuid) connectionId: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: DeliveryStatus;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty(time) nextAttemptAt: Date;
  @ApiProperty({ ...nullableText, enum: ['retryable', 'permanent', 'auth', null] })
  lastErrorKind: string | null;
  @ApiProperty(nullableText) lastErrorCode: string | null;
  @ApiProperty(nullableText) lastError: string | null;
  @ApiProperty({ ...nullableText, description: 'the id of what the destination created' })
  externalId: string | null;
  @ApiProperty({ ...nullableText, description: 'a deep link to it in the destination' })
  externalUrl: string | null;
  @ApiProperty(nullableTime) deliveredAt: Date | null;
}

const value = {
  anyOf: [
    { type: 'string', nullable: true },
    { type: 'number', nullable: true },
  ],
};

@ApiSchema({ name: 'Mismatch' })
export class MismatchDto implements Mismatch {
  @ApiProperty({ enum: ['orderId', 'amountMinor', 'currency', 'status', 'session'] })
  field: Mismatch['field'];
  @ApiProperty({ enum: ['webhook', 'record', 'lookup'] }) source: Mismatch['source'];
  @ApiProperty(value) expected: string | number | null;
  @ApiProperty(value) actual: string | number | null;
}

@ApiSchema({ name: 'PaymentReview' })
export class PaymentReviewDto implements ReviewView {
  @ApiProperty(uuid) id: string;
  @ApiProperty(uuid) attemptId: string;
  @ApiProperty({ enum: ['flag', 'mismatch', 'contradiction'] }) kind: ReviewKind;
  @ApiProperty() reason: string;
  @ApiProperty({ type: [MismatchDto] }) mismatches: MismatchDto[];
  @ApiProperty({ ...nullableText, ...uuid }) eventId: string | null;
  @ApiProperty(time) openedAt: Date;
  @ApiProperty(nullableTime) resolvedAt: Date | null;
  @ApiProperty({ ...nullableText, enum: ['auto', 'lookup', 'accept_paid', 'mark_failed', null] })
  resolution: ReviewResolution | null;
  @ApiProperty(nullableText) resolvedBy: string | null;
  @ApiProperty(nullableText) resolutionReason: string | null;
  @ApiProperty({ ...nullableText, ...uuid }) resolvedEventId: string | null;
}

@ApiSchema({ name: 'PaymentCustomer' })
export class PaymentCustomerDto {
  @ApiProperty(nullableText) phone: string | null;
  @ApiProperty(nullableText) id: string | null;
}

const CRM_REFS = {
  type: 'object',
  description: 'CRM record ids the order belongs to',
  properties: Object.fromEntries(CRM_REF_KEYS.map((k) => [k, { type: String }])),
  additionalProperties: false,
} as const;

@ApiSchema({ name: 'Payment' })
export class PaymentViewDto implements PaymentView {
  @ApiProperty() orderId: string;
  @ApiProperty({ enum: PAYMENT_STATUSES, description: 'what the CRMs see' })
  status: PaymentStatus;
  @ApiProperty({ description: 'manual_review, or an open review flag a person has to look at' })
  inReview: boolean;
  @ApiProperty(nullableInteger) amountMinor: number | null;
  @ApiProperty(nullableText) currency: string | null;
  @ApiProperty({ type: PaymentCustomerDto }) customer: PaymentCustomerDto;
  @ApiProperty(CRM_REFS) crm: PaymentView['crm'];
  @ApiProperty(time) createdAt: Date;
  @ApiProperty(time) updatedAt: Date;
  @ApiProperty({ type: [PaymentAttemptDto] }) attempts: PaymentAttemptDto[];
  @ApiProperty({
    type: 'array',
    description: 'normalized events (schemas/payment-event.v1.schema.json)',
    items: { type: 'object', additionalProperties: true },
  })
  events: PaymentView['events'];
  @ApiProperty({ type: [PaymentDeliveryDto] }) deliveries: PaymentDeliveryDto[];
  @ApiProperty({ type: [PaymentReviewDto] }) reviews: PaymentReviewDto[];
}
