import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuditEntryDto } from '../audit/audit-entry.dto';
import { AuditEntry } from '../audit/audit-entry.entity';
import { ApiErrors } from '../common/openapi';
import { Actor } from '../common/request-params';
import { ResolveReviewDto } from './payment-reviews.dto';
import { PaymentViewDto } from './payments.dto';
import { PaymentReviewsService } from './payment-reviews.service';
import { PaymentsService, PaymentView } from './payments.service';

const error = { schema: { $ref: '#/components/schemas/Error' } };

@ApiTags('payments')
@ApiBearerAuth()
@Controller('api/payments')
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly reviews: PaymentReviewsService,
  ) {}

  @Get(':orderId')
  @ApiOperation({
    operationId: 'getPayment',
    summary: "The order's payment status, attempts, events, deliveries, reviews",
  })
  @ApiOkResponse({ type: PaymentViewDto })
  @ApiNotFoundResponse({ description: 'unknown order', ...error })
  get(@Param('orderId') orderId: string): Promise<PaymentView> {
    return this.payments.get(orderId);
  }

  @Get(':orderId/audit')
  @ApiOperation({
    operationId: 'getPaymentAudit',
    summary: "The order's audit trail, oldest first",
  })
  @ApiOkResponse({ type: [AuditEntryDto] })
  @ApiNotFoundResponse({ description: 'no audit trail for the order', ...error })
  audit(@Param('orderId') orderId: string): Promise<AuditEntry[]> {
    return this.payments.auditTrail(orderId);
  }

  @Post(':orderId/resolve')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'resolvePaymentReview',
    summary: 'Resolve a review: look up again, accept as paid, or mark failed',
    description:
      'For an order in manual_review or with an open review flag. Each decision goes through ' +
      'the journal and the state machine, is audited with the actor and reason, and a status ' +
      'change is delivered to the CRMs like any other event.',
  })
  @ApiHeader({ name: 'X-Actor', required: false, description: 'who acts, for the audit trail' })
  @ApiOkResponse({ description: 'the order after the decision', type: PaymentViewDto })
  @ApiNotFoundResponse({ description: 'unknown order', ...error })
  @ApiConflictResponse({
    description: 'the order is not in review, or the decision does not apply to it',
    ...error,
  })
  @ApiUnprocessableEntityResponse({ description: 'bad body (names the field)', ...error })
  @ApiErrors({ 502: 'VPOS refused the status lookup', 503: 'VPOS did not answer the lookup' })
  resolve(
    @Param('orderId') orderId: string,
    @Body() dto: ResolveReviewDto,
    @Actor() actor: string,
  ): Promise<PaymentView> {
    return this.reviews.resolve(orderId, dto, actor);
  }
}
