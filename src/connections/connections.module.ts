import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import type { AppRole } from '../config/env.schema';
import { ConnectorsModule } from '../connectors/connectors.module';
import { ConnectionsController } from './connections.controller';
import { ConnectionsService } from './connections.service';
import { CredentialVault } from './credential-vault';

@Module({})
export class ConnectionsModule {
  static forRole(role: AppRole): DynamicModule {
    return {
      module: ConnectionsModule,
      imports: [AuditModule, ConnectorsModule],
      controllers: role === 'worker' ? [] : [ConnectionsController],
      providers: [ConnectionsService, CredentialVault],
      exports: [ConnectionsService, CredentialVault],
    };
  }
}
