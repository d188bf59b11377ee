import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsString, Matches, Min } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { Optional } from '../common/validation';
import type { PaymentEventV1 } from '../payments/payment-event';

export class PreviewDto {
  @ApiPropertyOptional({ example: 'ord-1001' })
  @Optional()
  @IsString({ message: 'orderId must be a string' })
  @Matches(/^[\x21-\x7e]{1,128}$/, { message: 'orderId must be 1-128 printable characters' })
  orderId?: string;

  @ApiPropertyOptional({ example: 1250000 })
  @Optional()
  @Type(() => Number)
  @IsInt({ message: 'amountMinor must be an integer' })
  @Min(1, { message: 'amountMinor must be at least 1' })
  amountMinor?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @Optional()
  @IsObject({ message: 'crm must be an object' })
  crm?: Record<string, string>;
}

/** A paid event as the journal would emit it, for "what would this connection write". */
export function samplePaidEvent(dto: PreviewDto): PaymentEventV1 {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    id: randomUUID(),
    provider: 'vpos',
    providerEventId: 'evt_preview',
    providerPaymentId: 'pay_preview',
    orderId: dto.orderId ?? 'preview-order',
    attemptId: randomUUID(),
    attemptNo: 1,
    type: 'paid',
    previousStatus: 'pending',
    orderStatus: 'paid',
    applied: true,
    amountMinor: dto.amountMinor ?? 1_250_000,
    currency: 'AMD',
    refundedAmountMinor: null,
    customer: { phone: '+37491234567', id: null },
    crm: dto.crm ?? {},
    occurredAt: now,
    verifiedAt: now,
    verifiedBy: 'status_lookup',
    claimedStatus: 'paid',
    mismatches: [],
    flags: [],
    rawEventId: null,
  };
}
