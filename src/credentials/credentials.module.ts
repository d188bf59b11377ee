import { DynamicModule, Module, Type } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CredentialVault } from './credential-vault';
import type { OAuthProvider } from './oauth-provider';
import { OAUTH_PROVIDERS, TokenService } from './token.service';

@Module({})
export class CredentialsModule {
  static forProviders(providers: Type<OAuthProvider>[]): DynamicModule {
    return {
      module: CredentialsModule,
      imports: [AuditModule],
      providers: [
        CredentialVault,
        TokenService,
        ...providers,
        {
          provide: OAUTH_PROVIDERS,
          useFactory: (...list: OAuthProvider[]) => list,
          inject: providers,
        },
      ],
      exports: [CredentialVault, TokenService, OAUTH_PROVIDERS],
    };
  }
}
