import { BooleanQuery } from '../common/boolean-query';
import { PageQuery } from '../common/page.query';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID } from 'class-validator';
import { PAYMENT_STATUSES, type PaymentStatus } from '../domain/payment-status';
import type { Delivery, DeliveryStatus } from './delivery.entity';

const STATUSES: DeliveryStatus[] = [
  'pending',
  'in_progress',
  'delivered',
  'retry_scheduled',
  'dead',
  'skipped',
  'parked',
];

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES, { message: `status must be one of ${STATUSES.join(', ')}` })
  status?: DeliveryStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'connectionId must be a UUID' })
  connectionId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  orderId?: string;
}

export class ReplayOrderQuery {
  @ApiPropertyOptional({ description: 'connection id; all receiving connections when absent' })
  @IsOptional()
  @IsUUID('all', { message: 'connection must be a connection id (UUID)' })
  connection?: string;

  @BooleanQuery('return what would be sent, change nothing')
  dryRun = false;
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  connectionId?: string;
  orderId?: string;
  limit: number;
  offset: number;
}

export interface AttemptReport {
  connectionId: string;
  destination: string;
  durationMs: number;
}

const nullableText = { type: String, nullable: true } as const;
const nullableTime = { type: String, format: 'date-time', nullable: true } as const;

@ApiSchema({ name: 'Delivery' })
export class DeliveryDto implements Delivery {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'order of creation (a bigint, as a string)', example: '42' })
  seq: string;

  @ApiProperty({ format: 'uuid' })
  eventId: string;

  @ApiProperty({ format: 'uuid' })
  connectionId: string;

  @ApiProperty()
  orderId: string;

  @ApiProperty({ enum: STATUSES })
  status: DeliveryStatus;

  @ApiProperty({ type: 'integer' })
  attempts: number;

  @ApiProperty({ type: 'integer', description: 'bumped by every (re)enqueue' })
  enqueueSeq: number;

  @ApiProperty({ type: String, format: 'date-time' })
  nextAttemptAt: Date;

  @ApiProperty(nullableTime)
  lockedUntil: Date | null;

  @ApiProperty({ ...nullableText, enum: ['retryable', 'permanent', 'auth', null] })
  lastErrorKind: string | null;

  @ApiProperty({ ...nullableText, example: 'HTTP_429' })
  lastErrorCode: string | null;

  @ApiProperty(nullableText)
  lastError: string | null;

  @ApiProperty({ ...nullableText, description: 'the id of what the destination created' })
  externalId: string | null;

  @ApiProperty({ ...nullableText, description: 'a deep link to it in the destination' })
  externalUrl: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;

  @ApiProperty(nullableTime)
  deliveredAt: Date | null;
}

@ApiSchema({ name: 'ReplayPlanItem' })
export class ReplayPlanItemDto {
  @ApiProperty({ format: 'uuid' })
  eventId: string;

  @ApiProperty({ enum: PAYMENT_STATUSES })
  type: PaymentStatus;

  @ApiProperty({ format: 'uuid' })
  connectionId: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  deliveryId: string | null;

  @ApiProperty({ ...nullableText, enum: [...STATUSES, null] })
  currentStatus: string | null;

  @ApiProperty({ enum: ['create', 'replay', 'wait'] })
  action: 'create' | 'replay' | 'wait';

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'dry run: what the connector would send',
  })
  wouldSend?: unknown;
}

@ApiSchema({ name: 'ReplayPlan' })
export class ReplayPlanDto {
  @ApiProperty()
  orderId: string;

  @ApiProperty()
  dryRun: boolean;

  @ApiProperty({ type: [ReplayPlanItemDto] })
  items: ReplayPlanItemDto[];
}
