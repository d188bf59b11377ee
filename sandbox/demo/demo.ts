/**
 * `npm run demo [-- --burst N]`: one sample order through a sandbox hub, step by step (link,
 * WhatsApp text, checkout, webhook, deliveries with their CRM links, a failed attempt and its
 * retry, a refund), or N orders at once with the delivery rate per CRM. Starts `npm run hub`'s
 * script when no hub answers, and stops it at the end.
 */
import { runBurst } from './demo-burst';
import { checkout, DemoOrder, type PaymentView } from './demo-steps';
import { amoLead, bitrixDeal, sheetRow } from './emulator-api';
import { emulator, HubClient } from './hub-client';
import { ensureSandboxHub } from './sandbox-process';
import { loadSandboxEnv, sandboxUrls, type SandboxUrls } from './sandbox-env';

const step = (text: string) => console.log(`\n\x1b[1m▸ ${text}\x1b[0m`);

async function describe(order: DemoOrder, view: PaymentView, names: Map<string, string>) {
  const audit = await order.audit();
  const kinds = audit.map((a) => a.kind);
  const webhook = kinds.filter((k) => k.startsWith('webhook.') || k.startsWith('verification'));
  console.log(`  order ${view.orderId}: ${view.status}`);
  console.log(
    `  webhook: ${webhook.join(' → ') || 'none yet'} (signature verified before storing)`,
  );
  for (const e of view.events) console.log(`  event ${e.id}: ${e.type}`);
  for (const d of view.deliveries) {
    const crm = names.get(d.connectionId) ?? d.connectionId;
    const where = d.externalUrl ?? d.lastError ?? '';
    console.log(`  delivery → ${crm}: ${d.status} after ${d.attempts} attempt(s) ${where}`);
  }
}

async function story(urls: SandboxUrls, hub: HubClient): Promise<void> {
  const connections = await hub.call<{ id: string; type: string }[]>('GET', '/api/connections');
  const names = new Map(connections.map((c) => [c.id, c.type]));

  step('1. A Bitrix24 deal and an amoCRM lead for a sample order (through the emulators)');
  const order = new DemoOrder(urls, hub, `demo-${Date.now().toString(36)}`, 1_250_000);
  await order.createCrmRecords();
  console.log(`  deal ${order.dealId} on ${urls.bitrix24}/_emulator/ui, lead ${order.leadId}`);

  step('2. A payment link for it, and the WhatsApp message to send');
  const link = await order.createLink();
  console.log(`  link ${link.url}`);
  console.log(`  WhatsApp text:\n    ${link.whatsapp.text.split('\n').join('\n    ')}`);
  console.log(`  wa.me URL: ${link.whatsapp.url}`);

  step('3. The customer pays on the emulated VPOS checkout');
  const sessionId = await checkout(link.url, 'pay');
  const paid = await order.settled('paid');
  await describe(order, paid, names);

  step('4. Another order: a failed attempt, then a successful retry with a new link');
  const retry = new DemoOrder(urls, hub, `demo-${Date.now().toString(36)}-r`, 350_000);
  await retry.createCrmRecords();
  await checkout((await retry.createLink()).url, 'fail');
  await retry.settled('failed');
  console.log('  attempt 1 failed; the CRMs got a comment, the deal stays open');
  await checkout((await retry.createLink()).url, 'pay');
  await describe(retry, await retry.settled('paid'), names);

  step(`5. A refund of the first order (VPOS emulator control on session ${sessionId})`);
  await emulator(`${urls.vpos}/_emulator/sessions/${sessionId}/status`, { status: 'refunded' });
  await describe(order, await order.settled('refunded'), names);

  step("What the CRMs show now (read through each emulator's own API)");
  const deal = await bitrixDeal(urls, order.dealId);
  const lead = await amoLead(urls, order.leadId);
  console.log(
    `  Bitrix24 deal ${order.dealId}: stage ${String(deal.STAGE_ID)}, ${String(deal.OPPORTUNITY)} AMD`,
  );
  console.log(`  amoCRM lead ${order.leadId}: status ${String(lead.status_id)} (142 = won)`);
  for (const o of [order, retry]) {
    const row = await sheetRow(urls, o.orderId);
    console.log(`  sheet row of ${o.orderId}: ${row ? JSON.stringify(row) : 'none'}`);
  }
  console.log(`  pages: ${urls.bitrix24}/_emulator/ui  ${urls.amocrm}/_emulator/ui`);
  console.log(`         ${urls.google}/_emulator/ui`);
  const ids = {
    orderId: order.orderId,
    dealId: order.dealId,
    leadId: order.leadId,
    retryOrderId: retry.orderId,
  };
  console.log(`  DEMO_ORDER ${JSON.stringify(ids)}`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const burstAt = argv.indexOf('--burst');
  const burst = burstAt >= 0 ? Number(argv[burstAt + 1]) : 0;
  if (burstAt >= 0 && (!Number.isInteger(burst) || burst < 1 || burst > 5000)) {
    throw new Error('--burst takes a number of orders from 1 to 5000');
  }
  const env = loadSandboxEnv();
  if (env.HUB_MODE !== 'sandbox') throw new Error('the demo runs against HUB_MODE=sandbox only');
  const urls = sandboxUrls(env);
  const stop = await ensureSandboxHub(urls);
  try {
    const hub = new HubClient(urls);
    if (burst > 0) await runBurst(urls, hub, burst);
    else await story(urls, hub);
  } finally {
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
