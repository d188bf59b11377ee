import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { roleModule } from '../common/role-module';
import type { AppRole } from '../config/env.schema';
import { CRM_REF_KEYS } from '../connectors';
import { DeliveryModule } from '../delivery/delivery.module';
import { VposModule } from '../providers/vpos/vpos.module';
import { JournalService } from './journal.service';
import { PaymentReviewsService } from './payment-reviews.service';
import { PaymentSearchController } from './payment-search.controller';
import { PaymentSearchService } from './payment-search.service';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';
import { VerificationProcessor } from './verification.processor';
import { VerificationService } from './verification.service';

@Module({})
export class PaymentsModule {
  static forRole(role: AppRole): DynamicModule {
    return roleModule(PaymentsModule, role, () => {
      const vpos = VposModule.forCrmRefs(CRM_REF_KEYS);
      return {
        imports: [AuditModule, vpos, DeliveryModule.forRole(role)],
        controllers: [PaymentsController, PaymentSearchController],
        providers: [
          PaymentSearchService,
          PaymentsService,
          PaymentReviewsService,
          JournalService,
          VerificationService,
        ],
        workers: [VerificationProcessor],
        exports: [PaymentsService, VerificationService, JournalService, vpos],
      };
    });
  }
}
