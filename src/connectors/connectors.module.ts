import { Module, ModuleMetadata } from '@nestjs/common';
import { CredentialsModule } from '../credentials/credentials.module';
import { CONNECTORS, ConnectorRegistry } from './connector.registry';
import type { ConnectorManifest } from './connector-manifest';
import type { CrmConnector } from './crm-connector';
import { CrmEntitiesService } from './shared/crm-entities.service';
import { RateLimiter } from './shared/rate-limiter';
import { connectorClassesOf, MANIFESTS, oauthClassesOf } from './index';

export function connectorsModuleMetadata(manifests: readonly ConnectorManifest[]): ModuleMetadata {
  const connectors = connectorClassesOf(manifests);
  return {
    imports: [CredentialsModule.forProviders(oauthClassesOf(manifests))],
    providers: [
      ...connectors,
      { provide: CONNECTORS, useFactory: (...list: CrmConnector[]) => list, inject: connectors },
      ConnectorRegistry,
      RateLimiter,
      CrmEntitiesService,
    ],
    exports: [ConnectorRegistry, RateLimiter, CrmEntitiesService, CredentialsModule],
  };
}

@Module(connectorsModuleMetadata(MANIFESTS))
export class ConnectorsModule {}
