import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import type { AppRole } from '../config/env.schema';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

export const WEBHOOK_MAX_BYTES = 256 * 1024;

@Module({})
export class WebhooksModule {
  static forRole(role: AppRole): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [AuditModule],
      controllers: role === 'worker' ? [] : [WebhooksController],
      providers: [WebhooksService],
    };
  }
}
