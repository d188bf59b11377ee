import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { roleModule } from '../common/role-module';
import type { AppRole } from '../config/env.schema';
import { DeliveryModule } from '../delivery/delivery.module';
import { PaymentsModule } from '../payments/payments.module';
import { ReconciliationController } from './reconciliation.controller';
import { ReconciliationDestinations } from './reconciliation-destinations';
import { ReconciliationProcessor } from './reconciliation.processor';
import { ReconciliationRepairService } from './reconciliation-repair.service';
import { ReconciliationSchedule } from './reconciliation-schedule';
import { ReconciliationService } from './reconciliation.service';

/** On top of payments, delivery, connections and connectors; only AppModule imports it. */
@Module({})
export class ReconciliationModule {
  static forRole(role: AppRole): DynamicModule {
    return roleModule(ReconciliationModule, role, () => ({
      imports: [AuditModule, PaymentsModule.forRole(role), DeliveryModule.forRole(role)],
      controllers: [ReconciliationController],
      providers: [
        ReconciliationService,
        ReconciliationDestinations,
        ReconciliationRepairService,
        ReconciliationSchedule,
      ],
      workers: [ReconciliationProcessor],
    }));
  }
}
