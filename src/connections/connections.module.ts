import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ConnectionsService } from './connections.service';
import { CredentialVault } from './credential-vault';

@Module({
  imports: [AuditModule],
  providers: [ConnectionsService, CredentialVault],
  exports: [ConnectionsService, CredentialVault],
})
export class ConnectionsModule {}
