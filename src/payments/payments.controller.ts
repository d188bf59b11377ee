import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditEntry } from '../audit/audit-entry.entity';
import { PaymentsService, PaymentView } from './payments.service';

@ApiTags('payments')
@ApiBearerAuth()
@Controller('api/payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Get(':orderId')
  @ApiOperation({ summary: "The order's payment status, attempts, events and deliveries" })
  get(@Param('orderId') orderId: string): Promise<PaymentView> {
    return this.payments.get(orderId);
  }

  @Get(':orderId/audit')
  @ApiOperation({ summary: "The order's audit trail, oldest first" })
  audit(@Param('orderId') orderId: string): Promise<AuditEntry[]> {
    return this.payments.auditTrail(orderId);
  }
}
