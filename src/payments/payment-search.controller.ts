import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PaymentPage, PaymentStats, SearchPaymentsQuery } from './payment-search.dto';
import { PaymentSearchService } from './payment-search.service';

@ApiTags('payments')
@ApiBearerAuth()
@Controller('api')
export class PaymentSearchController {
  constructor(private readonly search: PaymentSearchService) {}

  @Get('payments')
  @ApiOperation({ operationId: 'searchPayments', summary: 'Search orders, newest first' })
  @ApiOkResponse({ type: PaymentPage })
  list(@Query() query: SearchPaymentsQuery): Promise<PaymentPage> {
    return this.search.search(query);
  }

  @Get('payment-stats')
  @ApiOperation({
    operationId: 'getPaymentStats',
    summary: "Today's and this month's paid orders, deliveries by state, reviews",
  })
  @ApiOkResponse({ type: PaymentStats })
  stats(): Promise<PaymentStats> {
    return this.search.stats();
  }
}
