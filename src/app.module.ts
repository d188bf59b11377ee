import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuditModule } from './audit/audit.module';
import { AdminAuthGuard } from './common/admin-auth.guard';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { pinoHttpOptions } from './common/logging';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { ConnectionsModule } from './connections/connections.module';
import { ConnectorsModule } from './connectors/connectors.module';
import { CrmLinksModule } from './crm-links/crm-links.module';
import { DeliveryModule } from './delivery/delivery.module';
import { PaymentLinksModule } from './payment-links/payment-links.module';
import { PaymentsModule } from './payments/payments.module';
import { QueueModule } from './queue/queue.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forConfig(config: AppConfig): DynamicModule {
    const worker = config.role !== 'api';
    // Loaded only where served: the worker never requires bull-board or bcryptjs.
    const httpOnly =
      config.role === 'worker'
        ? []
        : [
            import('./admin/queue-board.module').then((m) =>
              m.QueueBoardModule.forRole(config.role),
            ),
            import('./operators/operators.module').then((m) =>
              m.OperatorsModule.forRole(config.role),
            ),
          ];
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({ pinoHttp: pinoHttpOptions(config) }),
        TypeOrmModule.forRoot(dataSourceOptions(config.database.url)),
        MetricsModule,
        HealthModule,
        AuditModule,
        ...(worker ? [QueueModule.forWorker()] : []),
        WebhooksModule,
        ConnectorsModule,
        ConnectionsModule.forRole(config.role),
        DeliveryModule.forRole(config.role),
        PaymentsModule.forRole(config.role),
        PaymentLinksModule.forRole(config.role),
        CrmLinksModule.forRole(config.role),
        ReconciliationModule.forRole(config.role),
        ...httpOnly,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AdminAuthGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
