import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { PageQuery } from '../common/page.query';
import { PAYMENT_STATUSES, PaymentStatus } from '../domain/payment-status';

export class SearchPaymentsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'exact order id or its beginning' })
  @IsOptional()
  @IsString()
  @Matches(/^[^%_\\]{1,128}$/, { message: 'orderId must be 1-128 characters without % _ \\' })
  orderId?: string;

  @ApiPropertyOptional({ description: 'the customer phone, any part of its digits' })
  @IsOptional()
  @Matches(/^\+?[\d ()-]{3,20}$/, { message: 'phone must be 3-20 digits' })
  phone?: string;

  @ApiPropertyOptional({ enum: PAYMENT_STATUSES })
  @IsOptional()
  @IsIn(PAYMENT_STATUSES, { message: `status must be one of ${PAYMENT_STATUSES.join(', ')}` })
  status?: PaymentStatus;

  @ApiPropertyOptional({ description: 'created at or after (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date or time' })
  from?: string;

  @ApiPropertyOptional({ description: 'created before (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date or time' })
  to?: string;

  @ApiPropertyOptional({ description: 'amount in minor units, at least' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'amountMin must be an integer (minor units)' })
  @Min(0, { message: 'amountMin must not be negative' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'amountMin must be at most 9007199254740991' })
  amountMin?: number;

  @ApiPropertyOptional({ description: 'amount in minor units, at most' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'amountMax must be an integer (minor units)' })
  @Min(0, { message: 'amountMax must not be negative' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'amountMax must be at most 9007199254740991' })
  amountMax?: number;
}

export class PaymentRow {
  @ApiProperty() orderId: string;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status: PaymentStatus;
  @ApiProperty({ type: Number, nullable: true }) amountMinor: number | null;
  @ApiProperty({ type: String, nullable: true }) currency: string | null;
  @ApiProperty({ type: String, nullable: true }) customerPhone: string | null;
  @ApiProperty() inReview: boolean;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class PaymentPage {
  @ApiProperty({ type: [PaymentRow] }) items: PaymentRow[];
  @ApiProperty() total: number;
}

export class PeriodTotals {
  @ApiProperty() count: number;
  @ApiProperty({
    description: 'currency -> sum in minor units',
    type: 'object',
    additionalProperties: { type: 'number' },
  })
  sums: Record<string, number>;
}

export class ReviewItem {
  @ApiProperty() orderId: string;
  @ApiProperty() reason: string;
  @ApiProperty() openedAt: Date;
}

export class PaymentStats {
  @ApiProperty() timeZone: string;
  @ApiProperty({ type: PeriodTotals }) today: PeriodTotals;
  @ApiProperty({ type: PeriodTotals }) month: PeriodTotals;
  @ApiProperty({
    description: 'delivery status -> count',
    type: 'object',
    additionalProperties: { type: 'number' },
  })
  deliveries: Record<string, number>;
  @ApiProperty({ type: [ReviewItem] }) reviews: ReviewItem[];
}
