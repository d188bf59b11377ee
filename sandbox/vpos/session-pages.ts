/**
 * Read-only HTML pages for people: `/` links to `/_emulator/ui`, the payment sessions with status,
 * amount and the webhooks sent for each, every session linked to its checkout page.
 */
import { html, link, PAGES_PATH, renderPage, table, type SafeHtml } from '../common/html-page';
import { formatAmount } from './checkout-page';
import type { EmulatorState } from './emulator-state';
import type { EmulatorEvent } from './emulator-types';
import type { VposSession } from './session-model';
import type { WebhookDelivery } from './webhook-delivery';

const EMULATOR = 'VPOS';

function statusCell(session: VposSession): SafeHtml {
  const css =
    session.status === 'paid'
      ? 'won'
      : ['failed', 'cancelled', 'expired'].includes(session.status)
        ? 'lost'
        : '';
  return html`<span class="${css}">${session.status}</span>`;
}

function webhooks(events: EmulatorEvent[], deliveries: WebhookDelivery[]): SafeHtml {
  if (events.length === 0) return html`<span class="muted">none</span>`;
  return html`<ul class="comments">
    ${events.map((event) => {
      const sent = deliveries.filter((d) => d.eventId === event.id);
      const outcome =
        event.disposition === 'sent'
          ? sent.map((d) => `${d.status}, ${d.attempts.length} attempt(s)`).join('; ')
          : event.disposition;
      return html`<li>${event.type} <span class="muted">${outcome}</span></li>`;
    })}
  </ul>`;
}

export function renderSessionsPage(state: EmulatorState): string {
  const events = state.listEvents();
  const deliveries = state.deliveryLog();
  const rows = state.listSessions().map((s) => [
    link(`/checkout/${encodeURIComponent(s.id)}`, s.id),
    s.merchantOrderId,
    formatAmount(s.amountMinor, s.currency),
    statusCell(s),
    s.refundedAmountMinor === undefined ? '' : formatAmount(s.refundedAmountMinor, s.currency),
    typeof s.metadata.description === 'string' ? s.metadata.description : '',
    [s.customer.name, s.customer.phone, s.customer.email].filter(Boolean).join(', '),
    s.createdAt,
    webhooks(
      events.filter((e) => e.sessionId === s.id),
      deliveries,
    ),
  ]);
  const headers = ['Session (checkout)', 'Order', 'Amount', 'Status', 'Refunded', 'Description'];
  return renderPage({
    emulator: EMULATOR,
    title: 'Payment sessions',
    body: html`<p class="muted">Open a session to pay, fail or cancel it on the test checkout.</p>
      ${table([...headers, 'Customer', 'Created', 'Webhooks'], rows, 'No payment sessions yet.')}`,
  });
}

export function renderLandingPage(): string {
  return renderPage({
    emulator: EMULATOR,
    title: 'VPOS.am merchant API',
    refreshSeconds: 0,
    body: html`<ul>
        <li>${link(PAGES_PATH, 'Payment sessions, with status and amount')}</li>
      </ul>
      <p class="muted">
        Merchant API under <code>/v1</code>; checkout pages under <code>/checkout/</code>.
      </p>`,
  });
}
