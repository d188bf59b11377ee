import { BooleanQuery } from '../common/boolean-query';
import { PageQuery } from '../common/page.query';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID } from 'class-validator';
import type { DeliveryStatus } from './delivery.entity';

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
