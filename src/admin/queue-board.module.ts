import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule, InjectBullBoard, type BullBoardInstance } from '@bull-board/nestjs';
import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { Queue } from 'bullmq';
import { adminOnly } from '../common/admin-auth.guard';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { AppRole } from '../config/env.schema';
import { QUEUES } from '../queue/queues';
import { SESSION_AUTHENTICATOR, SessionAuthenticator } from '../common/session-auth';
import { OperatorsModule } from '../operators/operators.module';
import { redisOptionsFromUrl } from '../queue/redis-connection';

export const QUEUE_BOARD_ROUTE = '/admin/queues';

/** Its own Queue clients (no workers): an `api` process registers no queues but shows them. */
@Injectable()
export class QueueBoardQueues implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('QueueBoard');
  private readonly queues: Queue[] = [];

  constructor(
    @InjectBullBoard() private readonly board: BullBoardInstance,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    for (const name of Object.values(QUEUES)) {
      const queue = new Queue(name, {
        connection: redisOptionsFromUrl(this.config.redis.url),
        prefix: this.config.redis.prefix,
      });
      // An unhandled 'error' event would end the process; Redis outages are reported by health.
      queue.on('error', (err) => this.logger.debug(`${name}: ${err.message}`));
      this.queues.push(queue);
      this.board.addQueue(new BullMQAdapter(queue));
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
  }
}

@Module({})
export class QueueBoardModule {
  static forRole(role: AppRole): DynamicModule {
    if (role === 'worker') return { module: QueueBoardModule };
    return {
      module: QueueBoardModule,
      imports: [
        BullBoardModule.forRootAsync({
          // The console's sign-in too: an operator's session reads; a change also needs its CSRF token.
          imports: [OperatorsModule.forRole(role)],
          inject: [APP_CONFIG, SESSION_AUTHENTICATOR],
          useFactory: (config: AppConfig, sessions: SessionAuthenticator) => ({
            route: QUEUE_BOARD_ROUTE,
            adapter: ExpressAdapter,
            middleware: adminOnly(config, sessions),
            boardOptions: { uiConfig: { boardTitle: 'VPOS hub queues' } },
          }),
        }),
      ],
      providers: [QueueBoardQueues],
    };
  }
}
