/** The emulator's hosted checkout pages: plain HTML with inline CSS and no external assets. */
import { CURRENCY_EXPONENTS, isOpen, type VposSession } from './session-model';

const CURRENCY_SYMBOLS: Readonly<Record<string, string>> = {
  AMD: '֏',
  USD: '$',
  EUR: '€',
  RUB: '₽',
};

/** Armenian style: space-grouped thousands, a dot before the minor digits, e.g. `12 500.00 ֏`. */
export function formatAmount(amountMinor: number, currency: string): string {
  const exponent = CURRENCY_EXPONENTS[currency] ?? 2;
  const sign = amountMinor < 0 ? '-' : '';
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  const major = digits.slice(0, digits.length - exponent);
  const minor = digits.slice(digits.length - exponent);
  const grouped = major.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  const number = exponent > 0 ? `${grouped}.${minor}` : grouped;
  return `${sign}${number} ${CURRENCY_SYMBOLS[currency] ?? currency}`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:40px 16px;color:#1d2330}
main{max-width:420px;margin:0 auto;background:#fff;border-radius:12px;padding:28px;
box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:18px;margin:0 0 4px}.muted{color:#6b7280;font-size:13px}
.amount{font-size:32px;font-weight:600;margin:20px 0}
.actions{display:flex;gap:8px;margin-top:24px}.actions form{flex:1}
button{width:100%;padding:12px;border:0;border-radius:8px;font-size:15px;cursor:pointer}
.pay{background:#16a34a;color:#fff}.fail{background:#dc2626;color:#fff}.cancel{background:#e5e7eb}
.status{margin-top:24px;padding:12px;border-radius:8px;background:#eef2ff;font-weight:600}
`;

function layout(title: string, content: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>`,
    `<body><main>${content}</main></body></html>`,
  ].join('\n');
}

function summary(session: VposSession): string {
  const description = session.metadata.description;
  return [
    '<p class="muted">VPOS.am emulator · test checkout</p>',
    `<h1>Order <span id="order">${escapeHtml(session.merchantOrderId)}</span></h1>`,
    typeof description === 'string' && description !== ''
      ? `<p id="description">${escapeHtml(description)}</p>`
      : '',
    `<div class="amount" id="amount">${escapeHtml(formatAmount(session.amountMinor, session.currency))}</div>`,
  ].join('\n');
}

function statusLine(session: VposSession): string {
  return `<div class="status" id="status" data-status="${session.status}">Status: ${session.status}</div>`;
}

export function renderCheckoutPage(session: VposSession): string {
  const base = `/checkout/${encodeURIComponent(session.id)}`;
  const button = (action: string, label: string): string =>
    `<form method="post" action="${base}/${action}"><button class="${action}" type="submit">${label}</button></form>`;
  const body = isOpen(session.status)
    ? `<div class="actions">${button('pay', 'Pay')}${button('fail', 'Fail')}${button('cancel', 'Cancel')}</div>`
    : statusLine(session);
  return layout(`Pay order ${session.merchantOrderId}`, `${summary(session)}\n${body}`);
}

export function renderResultPage(session: VposSession): string {
  return layout(`Payment ${session.status}`, `${summary(session)}\n${statusLine(session)}`);
}

export function renderMessagePage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}
