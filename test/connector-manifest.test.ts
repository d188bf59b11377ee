import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { buildConfig } from '../src/config/app-config';
import { ConfigModule } from '../src/config/config.module';
import { DESTINATIONS, MANIFESTS } from '../src/connectors';
import { ConnectorRegistry } from '../src/connectors/connector.registry';
import { connectorsModuleMetadata } from '../src/connectors/connectors.module';
import { dataSourceOptions } from '../src/database/data-source';
import { MetricsModule } from '../src/metrics/metrics.module';
import { skeletonManifest } from './fixtures/skeleton-crm';
import { SkeletonConnector } from './fixtures/skeleton-crm/skeleton.connector';
import { createTestDatabase, TestDatabase, testEnv } from './support/test-hub';

describe('Adding a CRM: its folder plus one manifest entry', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('registers the skeleton connector with its config section and injected token service', async () => {
    const manifests = [...MANIFESTS, skeletonManifest];
    const config = buildConfig(
      testEnv(db, { SKELETON_API_URL: 'https://skeleton.test' }),
      manifests.flatMap((m) => ('config' in m ? [m.config] : [])),
    );
    @Module(connectorsModuleMetadata(manifests))
    class HubConnectors {}
    const app = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(db.url)),
        MetricsModule,
        HubConnectors,
      ],
    }).compile();
    try {
      const registry = app.get(ConnectorRegistry);
      const skeleton = registry.get('skeleton');
      expect(skeleton).toBeInstanceOf(SkeletonConnector);
      expect(registry.types()).toEqual([...DESTINATIONS, 'skeleton']);
      expect(config.crm.skeleton).toEqual({ apiUrl: 'https://skeleton.test' });
      expect(config.crm.bitrix24.oauthServer).toBe('https://oauth.bitrix.info');
      expect(await skeleton.plan({} as never, { orderId: 'o-1' } as never)).toEqual({
        url: 'https://skeleton.test',
        orderId: 'o-1',
      });
    } finally {
      await app.close();
    }
  });

  it('refuses a bad value of a connector variable by name', () => {
    expect(() =>
      buildConfig(testEnv(db, { SKELETON_API_URL: 'not a url' }), [skeletonManifest.config]),
    ).toThrow(/SKELETON_API_URL must be an absolute http\(s\) URL/);
  });
});
