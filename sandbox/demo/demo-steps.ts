/** One sample order through the sandbox: CRM records, a payment link, the checkout, the outcome. */
import { randomUUID } from 'node:crypto';
import { emulator, HubClient, sleep } from './hub-client';
import { SANDBOX_BITRIX24_PORTAL, type SandboxUrls } from './sandbox-env';

export interface Delivery {
  connectionId: string;
  status: string;
  eventId: string;
  attempts: number;
  externalUrl: string | null;
  deliveredAt: string | null;
  lastError: string | null;
}
export interface PaymentView {
  orderId: string;
  status: string;
  attempts: { attemptNo: number; status: string; providerPaymentId: string | null }[];
  events: { id: string; type: string }[];
  deliveries: Delivery[];
}
export interface Link {
  id: string;
  orderId: string;
  url: string;
  whatsapp: { text: string; url: string };
}

export class DemoOrder {
  dealId = '';
  leadId = '';
  constructor(
    private readonly urls: SandboxUrls,
    private readonly hub: HubClient,
    readonly orderId: string,
    readonly amountMinor: number,
  ) {}

  /** A deal and a lead, as a salesperson would have them before sending the link. */
  async createCrmRecords(): Promise<void> {
    const deal = await emulator(
      `${this.urls.bitrix24}/_emulator/portals/${SANDBOX_BITRIX24_PORTAL}/deals`,
      {
        TITLE: `Order ${this.orderId}`,
        OPPORTUNITY: this.amountMinor / 100,
        CURRENCY_ID: 'AMD',
      },
    );
    this.dealId = String(deal.ID);
    const lead = await emulator(`${this.urls.amocrm}/_emulator/leads`, {
      name: `Order ${this.orderId}`,
      price: this.amountMinor / 100,
    });
    this.leadId = String(lead.id);
  }

  /** A new payment link (a new attempt when the order already has one). */
  createLink(): Promise<Link> {
    return this.hub.call<Link>(
      'POST',
      '/api/payment-links',
      {
        orderId: this.orderId,
        amountMinor: this.amountMinor,
        currency: 'AMD',
        description: 'Sandbox demo order',
        customer: { phone: '+37491234567', name: 'Demo Customer' },
        crm: { bitrix24DealId: this.dealId, amocrmLeadId: this.leadId },
      },
      { 'idempotency-key': randomUUID() },
    );
  }

  view(): Promise<PaymentView> {
    return this.hub.call<PaymentView>('GET', `/api/payments/${encodeURIComponent(this.orderId)}`);
  }

  audit(): Promise<{ kind: string; createdAt: string; data?: Record<string, unknown> }[]> {
    return this.hub.call('GET', `/api/payments/${encodeURIComponent(this.orderId)}/audit`);
  }

  /** Waits until the order is `status` and none of its deliveries is still on the way. */
  async settled(status: string, timeoutMs = 60_000): Promise<PaymentView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.view().catch(() => undefined);
      const done = view?.deliveries.every((d) => !['pending', 'in_progress'].includes(d.status));
      if (view?.status === status && done && view.deliveries.length > 0) return view;
      if (Date.now() > deadline) {
        throw new Error(`order ${this.orderId} not ${status} after ${timeoutMs} ms`);
      }
      await sleep(300);
    }
  }
}

/** The emulated checkout, as a browser uses it: open the page, then post its Pay or Fail form. */
export async function checkout(linkUrl: string, action: 'pay' | 'fail'): Promise<string> {
  const page = await fetch(linkUrl);
  if (!page.ok) throw new Error(`checkout page ${linkUrl}: ${page.status}`);
  await page.text();
  const res = await fetch(`${linkUrl.replace(/\/+$/, '')}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
    redirect: 'manual',
  });
  if (res.status !== 303) throw new Error(`checkout ${action}: ${res.status}`);
  return new URL(linkUrl).pathname.split('/').pop() ?? '';
}
