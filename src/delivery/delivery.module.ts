import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { roleModule } from '../common/role-module';
import type { AppRole } from '../config/env.schema';
import { ConnectionsModule } from '../connections/connections.module';
import { DeliveryReplayService } from './delivery-replay.service';
import { DeliveryController } from './delivery.controller';
import { DeliveryProcessor } from './delivery.processor';
import { DeliveryService } from './delivery.service';
import { DeliverySweeper } from './delivery.sweeper';

@Module({})
export class DeliveryModule {
  static forRole(role: AppRole): DynamicModule {
    return roleModule(DeliveryModule, role, () => ({
      imports: [AuditModule, ConnectionsModule.forRole(role)],
      controllers: [DeliveryController],
      providers: [DeliveryService, DeliveryReplayService],
      workers: [DeliveryProcessor, DeliverySweeper],
      exports: [DeliveryService, DeliveryReplayService, ConnectionsModule.forRole(role)],
    }));
  }
}
