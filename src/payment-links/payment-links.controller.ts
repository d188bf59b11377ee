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
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  CreatePaymentLinkDto,
  CreateProductDto,
  ListPaymentLinksQuery,
  UpdateProductDto,
} from './payment-links.dto';
import { PaymentLinkView } from './payment-link.views';
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
  @ApiOperation({ summary: 'Create a payment link (dynamic, or from a fixed product)' })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
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
  @ApiOperation({ summary: 'Payment links, newest first (filters orderId, status)' })
  list(@Query() query: ListPaymentLinksQuery) {
    return this.links.list(query);
  }

  @Get('payment-links/:id')
  get(@Param('id', UUID_PARAM) id: string) {
    return this.links.get(id);
  }

  @Post('payment-links/:id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel an open link (refused for a paid one)' })
  cancel(@Param('id', UUID_PARAM) id: string, @Actor() actor: string) {
    return this.links.cancel(id, actor);
  }

  @Post('payment-links/:id/resend')
  @HttpCode(200)
  @ApiOperation({ summary: 'The link again with a fresh WhatsApp message (recorded as resent)' })
  resend(@Param('id', UUID_PARAM) id: string, @Actor() actor: string) {
    return this.links.resend(id, actor);
  }

  @Post('products')
  @ApiOperation({ summary: 'Add a fixed-price product' })
  createProduct(@Body() dto: CreateProductDto, @Actor() actor: string) {
    return this.products.create(dto, actor);
  }

  @Get('products')
  listProducts() {
    return this.products.list();
  }

  @Get('products/:id')
  getProduct(@Param('id', UUID_PARAM) id: string) {
    return this.products.get(id);
  }

  @Patch('products/:id')
  updateProduct(
    @Param('id', UUID_PARAM) id: string,
    @Body() dto: UpdateProductDto,
    @Actor() actor: string,
  ) {
    return this.products.update(id, dto, actor);
  }
}
