import type http from 'node:http';
import {
  decodeSecret,
  newAgent,
  Outcome,
  postWebhook,
  signStandard,
} from '../../bench/ingest/load';
import { TEST_WEBHOOK_SECRET } from './test-hub';

export type { Outcome };

/** Raw POSTs to a hub's webhook intake over keep-alive connections, signed or not, any bytes. */
export function webhookSender(hubUrl: string, connections = 8) {
  const agent = newAgent(connections);
  const { hostname, port } = new URL(hubUrl);
  const target = { host: hostname, port: Number(port), path: '/webhooks/vpos' };
  const key = decodeSecret(TEST_WEBHOOK_SECRET);
  return {
    /** Standard Webhooks headers for these exact bytes. */
    sign(body: Buffer, webhookId: string, timestamp = Math.floor(Date.now() / 1000)) {
      return {
        'webhook-id': webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandard(key, webhookId, timestamp, body),
      };
    },
    send(body: Buffer | string, headers: http.OutgoingHttpHeaders): Promise<Outcome> {
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
      const hook = {
        eventId: '',
        body: bytes,
        headers: { 'content-type': 'application/json', ...headers },
      };
      return new Promise((resolve) => postWebhook(agent, target, hook, 10_000, resolve));
    },
    close: () => agent.destroy(),
  };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inParallel<T>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
