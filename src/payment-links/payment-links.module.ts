import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { roleModule } from '../common/role-module';
import type { AppRole } from '../config/env.schema';
import { PaymentsModule } from '../payments/payments.module';
import { PaymentLinkScheduleProcessor } from './payment-link-schedule.processor';
import { PaymentLinkReservations } from './payment-link.reservation';
import { PaymentLinkScheduler } from './payment-link.scheduler';
import { PaymentLinkSessions } from './payment-link.session';
import { PaymentLinkViews } from './payment-link.views';
import { PaymentLinksController } from './payment-links.controller';
import { PaymentLinksService } from './payment-links.service';
import { ProductsService } from './products.service';

@Module({})
export class PaymentLinksModule {
  static forRole(role: AppRole): DynamicModule {
    return roleModule(PaymentLinksModule, role, () => ({
      imports: [AuditModule, PaymentsModule.forRole(role)],
      controllers: [PaymentLinksController],
      providers: [
        PaymentLinksService,
        PaymentLinkReservations,
        PaymentLinkSessions,
        PaymentLinkViews,
        ProductsService,
      ],
      workers: [PaymentLinkScheduler, PaymentLinkScheduleProcessor],
      exports: [PaymentLinksService],
    }));
  }
}
