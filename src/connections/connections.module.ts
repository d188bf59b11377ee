import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { roleModule } from '../common/role-module';
import type { AppRole } from '../config/env.schema';
import { ConnectorsModule } from '../connectors/connectors.module';
import { ConnectionContexts } from './connection-contexts';
import { ConnectionEvents } from './connection-events';
import { ConnectionPreviewController } from './connection-preview.controller';
import { ConnectionsController } from './connections.controller';
import { ConnectionsService } from './connections.service';
import { OAuthStateService } from './oauth-state.service';
import { OAuthController } from './oauth.controller';
import { OAuthService } from './oauth.service';

@Module({})
export class ConnectionsModule {
  static forRole(role: AppRole): DynamicModule {
    return roleModule(ConnectionsModule, role, () => ({
      imports: [AuditModule, ConnectorsModule],
      controllers: [ConnectionsController, ConnectionPreviewController, OAuthController],
      providers: [
        ConnectionsService,
        ConnectionContexts,
        ConnectionEvents,
        OAuthStateService,
        OAuthService,
      ],
      exports: [ConnectionsService, ConnectionEvents, ConnectorsModule],
    }));
  }
}
