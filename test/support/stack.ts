import { startVposEmulator, VposEmulator } from '../../sandbox/vpos/vpos-emulator';
import { WebhookReceiver } from '../../sandbox/webhook-receiver/webhook-receiver';
import {
  createTestDatabase,
  startTestHub,
  TEST_VPOS_TOKEN,
  TEST_WEBHOOK_SECRET,
  TestDatabase,
  TestHub,
} from './test-hub';

export interface Stack {
  db: TestDatabase;
  hub: TestHub;
  vpos: VposEmulator;
  receiver: WebhookReceiver;
  close(): Promise<void>;
}

/** A fresh database, the VPOS emulator, a webhook receiver and the hub wired to them. */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const db = await createTestDatabase();
  const receiver = await new WebhookReceiver().start();
  const vpos = await startVposEmulator({
    apiToken: TEST_VPOS_TOKEN,
    webhookSecret: TEST_WEBHOOK_SECRET,
    webhookRetryDelaysMs: [200, 500],
  });
  const hub = await startTestHub(db, {
    VPOS_API_BASE_URL: vpos.url,
    CONNECTOR_INSECURE_HOSTS: receiver.hostPort,
    ...env,
  });
  vpos.setWebhookUrl(`${hub.url}/webhooks/vpos`);
  return {
    db,
    hub,
    vpos,
    receiver,
    close: async () => {
      await hub.close();
      await vpos.close();
      await receiver.close();
      await db.drop();
    },
  };
}
