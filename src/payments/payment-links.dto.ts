import { CRM_REF_KEYS, CrmRefs } from '../connectors';
import { PageQuery } from '../common/page.query';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

const toText = ({ value }: { value: unknown }) =>
  typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : value;

export class LinkCustomerDto {
  @ApiPropertyOptional({
    example: '+37491234567',
    description: 'E.164; Armenian local formats accepted',
  })
  @IsOptional()
  @IsString({ message: 'customer.phone must be a string' })
  @MaxLength(32, { message: 'customer.phone is too long' })
  phone?: string;

  @ApiPropertyOptional({ description: "the merchant's internal customer id" })
  @IsOptional()
  @Transform(toText)
  @IsString({ message: 'customer.id must be a string' })
  @MaxLength(64, { message: 'customer.id must be at most 64 characters' })
  id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'customer.name must be a string' })
  @MaxLength(120, { message: 'customer.name must be at most 120 characters' })
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail({}, { message: 'customer.email must be an e-mail address' })
  email?: string;
}

/** One optional numeric id per CRM whose manifest names a reference key. */
export class CrmRefsDto {}
for (const key of CRM_REF_KEYS) {
  for (const decorate of [
    ApiPropertyOptional({ example: '1001' }),
    IsOptional(),
    Transform(toText),
    Matches(/^\d{1,18}$/, { message: `crm.${key} must be a numeric id` }),
  ]) {
    decorate(CrmRefsDto.prototype, key);
  }
}

export class CreatePaymentLinkDto {
  @ApiPropertyOptional({
    description: 'a fixed product: amount, currency and description come from it',
  })
  @IsOptional()
  @IsUUID('all', { message: 'productId must be a product id (UUID)' })
  productId?: string;

  @ApiPropertyOptional({ example: 'A-1042', description: 'required unless productId is given' })
  @IsOptional()
  @Transform(toText)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, {
    message: 'orderId must be 1-64 letters, digits or . _ : / - (starting with a letter or digit)',
  })
  orderId?: string;

  @ApiPropertyOptional({ example: 1250000, description: 'minor units (AMD: 1250000 = 12 500 ֏)' })
  @IsOptional()
  @IsInt({ message: 'amountMinor must be an integer number of minor units' })
  @Min(1, { message: 'amountMinor must be greater than 0' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'amountMinor is too large' })
  amountMinor?: number;

  @ApiPropertyOptional({ example: 'AMD', default: 'AMD' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as AMD' })
  currency?: string;

  @ApiPropertyOptional({ type: LinkCustomerDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => LinkCustomerDto)
  customer?: LinkCustomerDto;

  @ApiPropertyOptional({ example: 'Consultation prepayment' })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string;

  @ApiPropertyOptional({ example: '2026-12-01T12:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'expiresAt must be an ISO 8601 date-time' })
  expiresAt?: string;

  @ApiPropertyOptional({ example: 86400 })
  @IsOptional()
  @IsInt({ message: 'ttlSeconds must be an integer' })
  @Min(60, { message: 'ttlSeconds must be at least 60' })
  ttlSeconds?: number;

  @ApiPropertyOptional({ type: CrmRefsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CrmRefsDto)
  crm?: CrmRefs;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject({ message: 'metadata must be an object' })
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: ['hy', 'ru', 'en'], description: 'language of the WhatsApp text' })
  @IsOptional()
  @IsIn(['hy', 'ru', 'en'], { message: 'language must be hy, ru or en' })
  language?: 'hy' | 'ru' | 'en';
}

export class ListPaymentLinksQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  orderId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsIn(
    ['creating', 'active', 'paid', 'failed', 'cancelled', 'expired', 'refunded', 'manual_review'],
    {
      message:
        'status must be one of creating, active, paid, failed, cancelled, expired, refunded, manual_review',
    },
  )
  status?: string;
}

export class CreateProductDto {
  @ApiProperty({ example: 'Consultation prepayment' })
  @IsString({ message: 'name must be a string' })
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(120, { message: 'name must be at most 120 characters' })
  name: string;

  @ApiProperty({ example: 500000 })
  @IsInt({ message: 'amountMinor must be an integer number of minor units' })
  @Min(1, { message: 'amountMinor must be greater than 0' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'amountMinor is too large' })
  amountMinor: number;

  @ApiPropertyOptional({ default: 'AMD' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as AMD' })
  currency?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string;

  @ApiPropertyOptional({ example: 86400 })
  @IsOptional()
  @IsInt({ message: 'defaultTtlSeconds must be an integer' })
  @Min(60, { message: 'defaultTtlSeconds must be at least 60' })
  defaultTtlSeconds?: number;
}

export class UpdateProductDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'name must be a string' })
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(120)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt({ message: 'amountMinor must be an integer number of minor units' })
  @Min(1, { message: 'amountMinor must be greater than 0' })
  amountMinor?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt({ message: 'defaultTtlSeconds must be an integer' })
  @Min(60, { message: 'defaultTtlSeconds must be at least 60' })
  defaultTtlSeconds?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}
