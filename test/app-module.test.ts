import { ModulesContainer } from '@nestjs/core';
import { ConnectionsModule } from '../src/connections/connections.module';
import { ConnectorsModule } from '../src/connectors/connectors.module';
import { DeliveryModule } from '../src/delivery/delivery.module';
import { DeliveryProcessor } from '../src/delivery/delivery.processor';
import { DeliverySweeper } from '../src/delivery/delivery.sweeper';
import { PaymentLinkScheduleProcessor } from '../src/payment-links/payment-link-schedule.processor';
import { PaymentLinksModule } from '../src/payment-links/payment-links.module';
import { PaymentsModule } from '../src/payments/payments.module';
import { VerificationProcessor } from '../src/payments/verification.processor';
import { WebhooksModule } from '../src/webhooks/webhooks.module';
import { createTestDatabase, startTestHub, TestDatabase, TestHub } from './support/test-hub';

const FEATURES = [
  WebhooksModule,
  ConnectorsModule,
  ConnectionsModule,
  DeliveryModule,
  PaymentsModule,
  PaymentLinksModule,
];

describe('AppModule: every feature module listed, every provider once', () => {
  let db: TestDatabase;
  let hub: TestHub;

  beforeAll(async () => {
    db = await createTestDatabase();
    hub = await startTestHub(db, { APP_ROLE: 'all' });
  });
  afterAll(async () => {
    await hub?.close();
    await db?.drop();
  });

  it('imports each feature module directly, and Nest holds one copy of each', () => {
    const modules = [...hub.app.get(ModulesContainer).values()];
    const app = modules.find((m) => m.metatype?.name === 'AppModule');
    const imported = new Set([...(app?.imports ?? [])].map((m) => m.metatype));
    for (const feature of FEATURES) {
      expect([feature.name, imported.has(feature)]).toEqual([feature.name, true]);
      expect(modules.filter((m) => m.metatype === feature)).toHaveLength(1);
    }
  });

  it.each([
    DeliveryProcessor,
    DeliverySweeper,
    VerificationProcessor,
    PaymentLinkScheduleProcessor,
  ])('runs one %p', (worker) => {
    expect(hub.app.get(worker, { strict: false, each: true })).toHaveLength(1);
  });
});
