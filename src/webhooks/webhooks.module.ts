import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { IntakeBatcher } from './intake-batcher';
import { WebhookRejections } from './webhook-rejections';
import { WebhooksService } from './webhooks.service';

export const WEBHOOK_MAX_BYTES = 256 * 1024;

@Module({
  imports: [AuditModule],
  providers: [WebhooksService, WebhookRejections, IntakeBatcher],
  exports: [WebhooksService, WebhookRejections],
})
export class WebhooksModule {}
