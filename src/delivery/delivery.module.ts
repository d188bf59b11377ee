import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
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
    return {
      module: DeliveryModule,
      imports: [AuditModule, ConnectionsModule.forRole(role)],
      controllers: role === 'worker' ? [] : [DeliveryController],
      providers: [
        DeliveryService,
        DeliveryReplayService,
        ...(role === 'api' ? [] : [DeliveryProcessor, DeliverySweeper]),
      ],
      exports: [DeliveryService],
    };
  }
}
