import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  CreatePaymentLinkDto,
  CreateProductDto,
  ListPaymentLinksQuery,
  UpdateProductDto,
} from './payment-links.dto';
import { PaymentLinksService, PaymentLinkView } from './payment-links.service';
import { ProductsService } from './products.service';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 422 });
/** Who acted: the manager's name from X-Actor when a console or script sends it. */
const actorOf = (value: string | undefined) =>
  value && /^[\p{L}\p{N} ._@-]{1,64}$/u.test(value) ? value : 'admin';

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
    @Headers('x-actor') actor: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PaymentLinkView> {
    const { link, replayed } = await this.links.create(dto, key, actorOf(actor));
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
  get(@Param('id', uuid) id: string) {
    return this.links.get(id);
  }

  @Post('payment-links/:id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel an open link (refused for a paid one)' })
  cancel(@Param('id', uuid) id: string, @Headers('x-actor') actor: string | undefined) {
    return this.links.cancel(id, actorOf(actor));
  }

  @Post('payment-links/:id/resend')
  @HttpCode(200)
  @ApiOperation({ summary: 'The link again with a fresh WhatsApp message (recorded as resent)' })
  resend(@Param('id', uuid) id: string, @Headers('x-actor') actor: string | undefined) {
    return this.links.resend(id, actorOf(actor));
  }

  @Post('products')
  @ApiOperation({ summary: 'Add a fixed-price product' })
  createProduct(@Body() dto: CreateProductDto, @Headers('x-actor') actor: string | undefined) {
    return this.products.create(dto, actorOf(actor));
  }

  @Get('products')
  listProducts() {
    return this.products.list();
  }

  @Get('products/:id')
  getProduct(@Param('id', uuid) id: string) {
    return this.products.get(id);
  }

  @Patch('products/:id')
  updateProduct(
    @Param('id', uuid) id: string,
    @Body() dto: UpdateProductDto,
    @Headers('x-actor') actor: string | undefined,
  ) {
    return this.products.update(id, dto, actorOf(actor));
  }
}
