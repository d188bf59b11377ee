import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import express from 'express';
import { roleModule } from '../common/role-module';
import type { AppRole } from '../config/env.schema';
import { ConnectionsModule } from '../connections/connections.module';
import { CRM_LINK_SOURCES, CrmLinkSource } from '../connectors/shared/link-source';
import { PaymentLinksModule } from '../payment-links/payment-links.module';
import { CrmEventIntake } from './crm-event-intake.service';
import { CrmLinkSources, LINK_SOURCE_CLASSES } from './crm-link-sources';
import { CrmLinkSubscriptions } from './crm-link-subscriptions';
import { CrmLinkTokens } from './crm-link-tokens';
import { CrmLinkWorker } from './crm-link.worker';
import { CrmLinksProcessor } from './crm-links.processor';
import { CrmWebhooksController } from './crm-webhooks.controller';

const FORM_LIMIT = '64kb';

/** Payment links asked for from inside the CRMs: a deal or lead moved to a trigger stage. */
@Module({})
export class CrmLinksModule implements NestModule {
  static forRole(role: AppRole): DynamicModule {
    return roleModule(CrmLinksModule, role, () => ({
      imports: [ConnectionsModule.forRole(role), PaymentLinksModule.forRole(role)],
      controllers: [CrmWebhooksController],
      providers: [
        ...LINK_SOURCE_CLASSES,
        {
          provide: CRM_LINK_SOURCES,
          useFactory: (...list: CrmLinkSource[]) => list,
          inject: LINK_SOURCE_CLASSES,
        },
        CrmLinkSources,
        CrmLinkTokens,
        CrmEventIntake,
        CrmLinkSubscriptions,
      ],
      workers: [CrmLinkWorker, CrmLinksProcessor],
    }));
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(express.urlencoded({ extended: true, limit: FORM_LIMIT, parameterLimit: 300 }))
      .forRoutes(CrmWebhooksController);
  }
}
