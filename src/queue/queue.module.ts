import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { OutboxRelay } from './outbox.relay';
import { PgNotifications } from './pg-notifications';
import {
  CRM_LINK_JOB_OPTIONS,
  DELIVERY_JOB_OPTIONS,
  QUEUES,
  RECONCILE_JOB_OPTIONS,
  SCHEDULE_JOB_OPTIONS,
  VERIFY_JOB_OPTIONS,
} from './queues';
import { redisOptionsFromUrl } from './redis-connection';

@Module({})
export class QueueModule {
  static forWorker(): DynamicModule {
    const queues = BullModule.registerQueue(
      { name: QUEUES.verification, defaultJobOptions: VERIFY_JOB_OPTIONS },
      { name: QUEUES.deliveries, defaultJobOptions: DELIVERY_JOB_OPTIONS },
      { name: QUEUES.linkSchedules, defaultJobOptions: SCHEDULE_JOB_OPTIONS },
      { name: QUEUES.deliverySweeps, defaultJobOptions: SCHEDULE_JOB_OPTIONS },
      { name: QUEUES.crmLinks, defaultJobOptions: CRM_LINK_JOB_OPTIONS },
      { name: QUEUES.reconciliation, defaultJobOptions: RECONCILE_JOB_OPTIONS },
    );
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            connection: redisOptionsFromUrl(config.redis.url),
            prefix: config.redis.prefix,
          }),
        }),
        queues,
      ],
      providers: [OutboxRelay, PgNotifications],
      exports: [queues],
    };
  }
}
