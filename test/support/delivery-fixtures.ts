import { ConnectionsService } from '../../src/connections/connections.service';
import type { VposEmulator } from '../../sandbox/vpos/vpos-emulator';
import type { WebhookReceiver } from '../../sandbox/webhook-receiver/webhook-receiver';
import { sessionBody } from '../factories/sessions';
import { waitFor, type TestDatabase, type TestHub } from './test-hub';

export const RECEIVER_SECRET = `whsec_${Buffer.from('receiver-secret-32-bytes-long!!!').toString('base64')}`;

/** A webhook destination pointing at the test receiver. */
export function addWebhookConnection(
  hub: TestHub,
  receiver: WebhookReceiver,
  settings: Record<string, unknown> = {},
) {
  return hub.app.get(ConnectionsService).create({
    type: 'webhook',
    displayName: 'merchant backend',
    mode: 'webhook',
    account: { url: receiver.url },
    settings: {
      url: receiver.url,
      rateLimit: { capacity: 100, refillPerSecond: 100 },
      ...settings,
    },
    credentials: { secret: RECEIVER_SECRET },
  });
}

/** A VPOS session paid now (its webhook flows through the hub). */
export function pay(vpos: VposEmulator, overrides: Record<string, unknown> = {}) {
  const session = vpos.createSession(sessionBody(overrides));
  vpos.setStatus(session.id, 'paid');
  return session;
}

/** Waits until the order's (single) delivery is delivered; returns its rows. */
export function untilDelivered(db: TestDatabase, orderId: string, what: string, ms = 60000) {
  return waitFor(
    async () => {
      const rows = await db.ds.query<{ status: string; attempts: number }[]>(
        `SELECT status, attempts FROM deliveries WHERE order_id = $1`,
        [orderId],
      );
      return rows[0]?.status === 'delivered' ? rows : undefined;
    },
    ms,
    what,
  );
}
