import { applyDecorators } from '@nestjs/common';
import { CRM_REF_KEYS, CrmRefs } from '../connectors';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../common/page.query';
import { Optional } from '../common/validation';

/** Above any real payment in any currency, and far inside what a double and bigint hold exactly. */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000;

const AmountMinor = () =>
  applyDecorators(
    IsInt({ message: 'amountMinor must be an integer number of minor units' }),
    Min(1, { message: 'amountMinor must be greater than 0' }),
    Max(MAX_AMOUNT_MINOR, { message: `amountMinor must be at most ${MAX_AMOUNT_MINOR}` }),
  );

const toText = ({ value }: { value: unknown }) =>
  typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : value;

export class LinkCustomerDto {
  @ApiPropertyOptional({
    example: '+37491234567',
    description: 'E.164; Armenian local formats accepted',
  })
  @Optional()
  @IsString({ message: 'customer.phone must be a string' })
  @MaxLength(32, { message: 'customer.phone is too long' })
  phone?: string;

  @ApiPropertyOptional({ description: "the merchant's internal customer id" })
  @Optional()
  @Transform(toText)
  @IsString({ message: 'customer.id must be a string' })
  @MaxLength(64, { message: 'customer.id must be at most 64 characters' })
  id?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 120 })
  @Optional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'customer.name must be a string' })
  @MinLength(1, { message: 'customer.name must not be blank' })
  @MaxLength(120, { message: 'customer.name must be at most 120 characters' })
  name?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsEmail({}, { message: 'customer.email must be an e-mail address' })
  email?: string;
}

export class CrmRefsDto {}
for (const key of CRM_REF_KEYS) {
  for (const decorate of [
    ApiPropertyOptional({ type: String, example: '1001' }),
    Optional(),
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
  @Optional()
  @IsUUID('all', { message: 'productId must be a product id (UUID)' })
  productId?: string;

  @ApiPropertyOptional({ example: 'A-1042', description: 'required unless productId is given' })
  @Optional()
  @Transform(toText)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, {
    message: 'orderId must be 1-64 letters, digits or . _ : / - (starting with a letter or digit)',
  })
  orderId?: string;

  @ApiPropertyOptional({
    example: 1250000,
    description: 'minor units (AMD: 1250000 = 12 500 ֏)',
    maximum: MAX_AMOUNT_MINOR,
  })
  @Optional()
  @AmountMinor()
  amountMinor?: number;

  @ApiPropertyOptional({ example: 'AMD', default: 'AMD' })
  @Optional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as AMD' })
  currency?: string;

  @ApiPropertyOptional({ type: LinkCustomerDto })
  @Optional()
  @IsObject({ message: 'customer must be an object' })
  @ValidateNested()
  @Type(() => LinkCustomerDto)
  customer?: LinkCustomerDto;

  @ApiPropertyOptional({ example: 'Consultation prepayment' })
  @Optional()
  @IsString({ message: 'description must be a string' })
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string;

  @ApiPropertyOptional({ example: '2026-12-01T12:00:00Z' })
  @Optional()
  @IsISO8601({ strict: true }, { message: 'expiresAt must be an ISO 8601 date-time' })
  expiresAt?: string;

  @ApiPropertyOptional({ example: 86400 })
  @Optional()
  @IsInt({ message: 'ttlSeconds must be an integer' })
  @Min(60, { message: 'ttlSeconds must be at least 60' })
  ttlSeconds?: number;

  @ApiPropertyOptional({ type: CrmRefsDto })
  @Optional()
  @IsObject({ message: 'crm must be an object' })
  @ValidateNested()
  @Type(() => CrmRefsDto)
  crm?: CrmRefs;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @Optional()
  @IsObject({ message: 'metadata must be an object' })
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: ['hy', 'ru', 'en'], description: 'language of the WhatsApp text' })
  @Optional()
  @IsIn(['hy', 'ru', 'en'], { message: 'language must be hy, ru or en' })
  language?: 'hy' | 'ru' | 'en';
}

export class ListPaymentLinksQuery extends PageQuery {
  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'orderId must be a string' })
  @MaxLength(64, { message: 'orderId must be at most 64 characters' })
  orderId?: string;

  @ApiPropertyOptional()
  @Optional()
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

  @ApiProperty({ example: 500000, maximum: MAX_AMOUNT_MINOR })
  @AmountMinor()
  amountMinor: number;

  @ApiPropertyOptional({ default: 'AMD' })
  @Optional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as AMD' })
  currency?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'description must be a string' })
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string;

  @ApiPropertyOptional({ example: 86400 })
  @Optional()
  @IsInt({ message: 'defaultTtlSeconds must be an integer' })
  @Min(60, { message: 'defaultTtlSeconds must be at least 60' })
  defaultTtlSeconds?: number;
}

export class UpdateProductDto {
  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'name must be a string' })
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(120, { message: 'name must be at most 120 characters' })
  name?: string;

  @ApiPropertyOptional({ maximum: MAX_AMOUNT_MINOR })
  @Optional()
  @AmountMinor()
  amountMinor?: number;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'description must be a string' })
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsInt({ message: 'defaultTtlSeconds must be an integer' })
  @Min(60, { message: 'defaultTtlSeconds must be at least 60' })
  defaultTtlSeconds?: number;

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}
