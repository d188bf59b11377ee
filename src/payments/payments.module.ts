import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import type { AppRole } from '../config/env.schema';
import { CRM_REF_KEYS } from '../connectors';
import { DeliveryModule } from '../delivery/delivery.module';
import { VposModule } from '../providers/vpos/vpos.module';
import { JournalService } from './journal.service';
import { PaymentLinkScheduleProcessor } from './payment-link-schedule.processor';
import { PaymentLinkScheduler } from './payment-link.scheduler';
import { PaymentLinksController } from './payment-links.controller';
import { PaymentLinksService } from './payment-links.service';
import { PaymentReviewsService } from './payment-reviews.service';
import { ProductsService } from './products.service';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';
import { VerificationProcessor } from './verification.processor';
import { VerificationService } from './verification.service';

@Module({})
export class PaymentsModule {
  static forRole(role: AppRole): DynamicModule {
    return {
      module: PaymentsModule,
      imports: [AuditModule, VposModule.forCrmRefs(CRM_REF_KEYS), DeliveryModule.forRole(role)],
      controllers: role === 'worker' ? [] : [PaymentsController, PaymentLinksController],
      providers: [
        PaymentsService,
        PaymentReviewsService,
        JournalService,
        VerificationService,
        PaymentLinksService,
        ProductsService,
        ...(role === 'api'
          ? []
          : [VerificationProcessor, PaymentLinkScheduler, PaymentLinkScheduleProcessor]),
      ],
      exports: [PaymentsService, VerificationService],
    };
  }
}
