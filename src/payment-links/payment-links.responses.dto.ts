import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { PaymentLinkStatus } from '../domain/payment-status';
import type { PaymentLinkView } from './payment-link.views';
import { CrmRefsDto, LinkCustomerDto } from './payment-links.dto';
import type { Product } from './product.entity';

const LINK_STATUSES: PaymentLinkStatus[] = [
  'creating',
  'active',
  'paid',
  'failed',
  'cancelled',
  'expired',
  'refunded',
  'manual_review',
];
const time = { type: String, format: 'date-time' } as const;
const nullableText = { type: String, nullable: true } as const;

@ApiSchema({ name: 'WhatsappMessage' })
export class WhatsappMessageDto {
  @ApiProperty({ description: 'the message in the link language' })
  text: string;

  @ApiProperty({ format: 'uri', description: 'a wa.me link that opens the chat with the text' })
  url: string;
}

@ApiSchema({ name: 'PaymentLink' })
export class PaymentLinkViewDto implements PaymentLinkView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'A-1042' })
  orderId: string;

  @ApiProperty({ enum: LINK_STATUSES })
  status: PaymentLinkStatus;

  @ApiProperty({ ...nullableText, format: 'uri', description: 'null until VPOS opened a session' })
  url: string | null;

  @ApiProperty(time)
  expiresAt: Date;

  @ApiProperty({ type: 'integer', example: 500000 })
  amountMinor: number;

  @ApiProperty({ example: 'AMD' })
  currency: string;

  @ApiProperty(nullableText)
  description: string | null;

  @ApiProperty({ type: LinkCustomerDto })
  customer: LinkCustomerDto;

  @ApiProperty({ type: CrmRefsDto })
  crm: CrmRefsDto;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  productId: string | null;

  @ApiProperty({ type: 'integer', description: 'the payment attempt of the order it opened' })
  attemptNo: number;

  @ApiProperty(nullableText)
  providerPaymentId: string | null;

  @ApiProperty({ description: 'X-Actor of the creator' })
  createdBy: string;

  @ApiProperty(time)
  createdAt: Date;

  @ApiProperty({ type: WhatsappMessageDto })
  whatsapp: WhatsappMessageDto;
}

@ApiSchema({ name: 'Product' })
export class ProductDto implements Product {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Consultation prepayment' })
  name: string;

  @ApiProperty({ type: 'integer', example: 500000 })
  amountMinor: number;

  @ApiProperty({ example: 'AMD' })
  currency: string;

  @ApiProperty(nullableText)
  description: string | null;

  @ApiProperty({ type: 'integer', example: 86400, description: 'link lifetime unless given' })
  defaultTtlSeconds: number;

  @ApiProperty({ description: 'only active products take new links' })
  active: boolean;

  @ApiProperty(time)
  createdAt: Date;

  @ApiProperty(time)
  updatedAt: Date;
}
