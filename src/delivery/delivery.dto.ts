import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, Min } from 'class-validator';
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

export class ListDeliveriesQuery {
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

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(500)
  limit = 50;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be an integer' })
  @Min(0)
  offset = 0;
}

export class ReplayOrderQuery {
  @ApiPropertyOptional({ description: 'connection id; all receiving connections when absent' })
  @IsOptional()
  @IsUUID('all', { message: 'connection must be a connection id (UUID)' })
  connection?: string;

  @ApiPropertyOptional({ description: 'return what would be sent, change nothing' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value === true || value === 'true' || value === '1')
  @IsBoolean()
  dryRun = false;
}
