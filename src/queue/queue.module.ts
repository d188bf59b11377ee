import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { OutboxRelay } from './outbox.relay';
import {
  DELIVERY_JOB_OPTIONS,
  QUEUES,
  RECONCILE_JOB_OPTIONS,
  SCHEDULE_JOB_OPTIONS,
  VERIFY_JOB_OPTIONS,
} from './queues';
import { redisOptionsFromUrl } from './redis-connection';

/** BullMQ connection, queues and the outbox relay; only worker processes import it. */
@Module({})
export class QueueModule {
  static forWorker(): DynamicModule {
    const queues = BullModule.registerQueue(
      { name: QUEUES.verification, defaultJobOptions: VERIFY_JOB_OPTIONS },
      { name: QUEUES.deliveries, defaultJobOptions: DELIVERY_JOB_OPTIONS },
      { name: QUEUES.linkSchedules, defaultJobOptions: SCHEDULE_JOB_OPTIONS },
      { name: QUEUES.deliverySweeps, defaultJobOptions: SCHEDULE_JOB_OPTIONS },
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
      providers: [OutboxRelay],
      exports: [queues],
    };
  }
}
