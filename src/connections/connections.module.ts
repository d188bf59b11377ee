import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import type { AppRole } from '../config/env.schema';
import { ConnectorsModule } from '../connectors/connectors.module';
import { ACCESS_TOKENS } from '../connectors/crm-connector';
import { AmocrmOAuth } from '../connectors/amocrm/amocrm.oauth';
import { Bitrix24OAuth } from '../connectors/bitrix24/bitrix24.oauth';
import { GoogleOAuth } from '../connectors/google-sheets/google.oauth';
import { ConnectionsController } from './connections.controller';
import { OAuthStateService } from './oauth-state.service';
import { OAuthController } from './oauth.controller';
import { OAuthService } from './oauth.service';
import { TokenService } from './token.service';
import { RateLimiter } from './rate-limiter';
import { ConnectionsService } from './connections.service';
import { CredentialVault } from './credential-vault';

@Module({})
export class ConnectionsModule {
  static forRole(role: AppRole): DynamicModule {
    return {
      module: ConnectionsModule,
      imports: [AuditModule, ConnectorsModule],
      controllers: role === 'worker' ? [] : [ConnectionsController, OAuthController],
      providers: [
        ConnectionsService,
        CredentialVault,
        OAuthStateService,
        OAuthService,
        TokenService,
        { provide: ACCESS_TOKENS, useExisting: TokenService },
        RateLimiter,
        Bitrix24OAuth,
        AmocrmOAuth,
        GoogleOAuth,
      ],
      exports: [ConnectionsService, CredentialVault, TokenService, RateLimiter],
    };
  }
}
