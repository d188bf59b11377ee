/** `--burst N`: N orders created and paid at once; a progress bar, then deliveries per second per CRM. */
import { checkout, DemoOrder, type PaymentView } from './demo-steps';
import { HubClient, sleep } from './hub-client';
import type { SandboxUrls } from './sandbox-env';

function bar(done: number, total: number): string {
  const width = 30;
  const full = Math.round((done / total) * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${done}/${total}`;
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export async function runBurst(urls: SandboxUrls, hub: HubClient, n: number): Promise<void> {
  const connections = await hub.call<{ id: string; type: string }[]>('GET', '/api/connections');
  const typeOf = new Map(connections.map((c) => [c.id, c.type]));
  const run = Date.now().toString(36);
  const orders = Array.from(
    { length: n },
    (_, i) => new DemoOrder(urls, hub, `burst-${run}-${i + 1}`, 100_000 + i * 100),
  );
  console.log(`creating ${n} orders (deal, lead, link) and paying them`);
  const started = Date.now();
  await inBatches(orders, 20, async (order) => {
    await order.createCrmRecords();
    await checkout((await order.createLink()).url, 'pay');
  });
  console.log(`  paid ${n} in ${((Date.now() - started) / 1000).toFixed(1)} s; delivering`);

  const counts = new Map<string, number>();
  const lastDelivered = new Map<string, number>();
  let views: PaymentView[] = [];
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    views = await Promise.all(orders.map((o) => o.view().catch(() => undefined))).then((v) =>
      v.filter((x): x is PaymentView => x !== undefined),
    );
    const all = views.flatMap((v) => v.deliveries);
    const settled = all.filter((d) => !['pending', 'in_progress'].includes(d.status)).length;
    const expected = n * Math.max(1, new Set(all.map((d) => d.connectionId)).size);
    process.stdout.write(`\r  ${bar(Math.min(settled, expected), expected)}`);
    if (views.length === n && settled >= expected) break;
    if (Date.now() > deadline) throw new Error('deliveries did not finish in 10 minutes');
    await sleep(1000);
  }
  process.stdout.write('\n');
  for (const d of views.flatMap((v) => v.deliveries)) {
    const type = typeOf.get(d.connectionId) ?? d.connectionId;
    if (d.status !== 'delivered') continue;
    counts.set(type, (counts.get(type) ?? 0) + 1);
    const at = d.deliveredAt ? Date.parse(d.deliveredAt) : Date.now();
    lastDelivered.set(type, Math.max(lastDelivered.get(type) ?? 0, at));
  }
  // From the first payment to the CRM's last delivery.
  for (const [type, count] of counts) {
    const seconds = Math.max(0.001, ((lastDelivered.get(type) ?? started) - started) / 1000);
    console.log(
      `  ${type}: ${count}/${n} delivered in ${seconds.toFixed(1)} s, ${(count / seconds).toFixed(1)}/s`,
    );
  }
}
