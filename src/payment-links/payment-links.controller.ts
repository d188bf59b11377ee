import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { Actor, UUID_PARAM } from '../common/request-params';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi';
import type { Response } from 'express';
import {
  CreatePaymentLinkDto,
  CreateProductDto,
  ListPaymentLinksQuery,
  UpdateProductDto,
} from './payment-links.dto';
import { PaymentLinkView } from './payment-link.views';
import { PaymentLinkViewDto, ProductDto } from './payment-links.responses.dto';
import { PaymentLinksService } from './payment-links.service';
import { ProductsService } from './products.service';

@ApiTags('payment links')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Actor', required: false, description: 'who acts, for the audit trail' })
@Controller('api')
export class PaymentLinksController {
  constructor(
    private readonly links: PaymentLinksService,
    private readonly products: ProductsService,
  ) {}

  @Post('payment-links')
  @ApiOperation({
    operationId: 'createPaymentLink',
    summary: 'Create a payment link (dynamic, or from a fixed product)',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiCreatedResponse({
    type: PaymentLinkViewDto,
    description: 'created, or the same link again for a repeated Idempotency-Key',
    headers: {
      'Idempotent-Replayed': {
        description: 'true when this answers a repeated request',
        schema: { type: 'string', enum: ['true'] },
      },
    },
  })
  @ApiErrors({
    400: 'malformed JSON, or no Idempotency-Key',
    409:
      'Idempotency-Key reused with another body; or the order is paid, locked at another ' +
      'amount, or has an open link',
    422: 'invalid body (names the field), or an inactive product',
    502: 'VPOS refused the payment session',
    503: 'VPOS did not answer',
  })
  async create(
    @Body() dto: CreatePaymentLinkDto,
    @Headers('idempotency-key') key: string | undefined,
    @Actor() actor: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PaymentLinkView> {
    const { link, replayed } = await this.links.create(dto, key, actor);
    res.status(201);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    return link;
  }

  @Get('payment-links')
  @ApiOperation({
    operationId: 'listPaymentLinks',
    summary: 'Payment links, newest first (filters orderId, status)',
  })
  @ApiOkResponse({ type: [PaymentLinkViewDto] })
  list(@Query() query: ListPaymentLinksQuery) {
    return this.links.list(query);
  }

  @Get('payment-links/:id')
  @ApiOperation({ operationId: 'getPaymentLink', summary: 'One payment link' })
  @ApiOkResponse({ type: PaymentLinkViewDto })
  @ApiErrors({ 404: 'unknown payment link' })
  get(@Param('id', UUID_PARAM) id: string) {
    return this.links.get(id);
  }

  @Post('payment-links/:id/cancel')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'cancelPaymentLink',
    summary: 'Cancel an open link (refused for a paid one)',
  })
  @ApiOkResponse({ type: PaymentLinkViewDto })
  @ApiErrors({ 404: 'unknown payment link', 409: 'the link is no longer open' })
  cancel(@Param('id', UUID_PARAM) id: string, @Actor() actor: string) {
    return this.links.cancel(id, actor);
  }

  @Post('payment-links/:id/resend')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'resendPaymentLink',
    summary: 'The link again with a fresh WhatsApp message (recorded as resent)',
  })
  @ApiOkResponse({ type: PaymentLinkViewDto })
  @ApiErrors({ 404: 'unknown payment link', 409: 'the link is no longer open' })
  resend(@Param('id', UUID_PARAM) id: string, @Actor() actor: string) {
    return this.links.resend(id, actor);
  }

  @Post('products')
  @ApiOperation({ operationId: 'createProduct', summary: 'Add a fixed-price product' })
  @ApiCreatedResponse({ type: ProductDto })
  @ApiErrors({ 422: 'invalid body (names the field), or a currency that is not enabled' })
  createProduct(@Body() dto: CreateProductDto, @Actor() actor: string) {
    return this.products.create(dto, actor);
  }

  @Get('products')
  @ApiOperation({ operationId: 'listProducts', summary: 'Fixed-price products' })
  @ApiOkResponse({ type: [ProductDto] })
  listProducts() {
    return this.products.list();
  }

  @Get('products/:id')
  @ApiOperation({ operationId: 'getProduct', summary: 'One product' })
  @ApiOkResponse({ type: ProductDto })
  @ApiErrors({ 404: 'unknown product' })
  getProduct(@Param('id', UUID_PARAM) id: string) {
    return this.products.get(id);
  }

  @Patch('products/:id')
  @ApiOperation({ operationId: 'updateProduct', summary: 'Change or deactivate a product' })
  @ApiOkResponse({ type: ProductDto })
  @ApiErrors({ 404: 'unknown product', 422: 'invalid body (names the field)' })
  updateProduct(
    @Param('id', UUID_PARAM) id: string,
    @Body() dto: UpdateProductDto,
    @Actor() actor: string,
  ) {
    return this.products.update(id, dto, actor);
  }
}
