/**
 * The emulators' read-only pages for people: one layout, one small stylesheet, and an `html`
 * template tag that escapes every interpolated value unless it is already `SafeHtml`.
 */
import type { ServerResponse } from 'node:http';
import { escapeHtml, sendText } from './http-io';

/** Where every emulator serves its pages; `/_emulator/` is never a path of the real APIs. */
export const PAGES_PATH = '/_emulator/ui';

export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

function fragment(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(fragment).join('');
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number' || typeof value === 'boolean') return escapeHtml(String(value));
  return escapeHtml(JSON.stringify(value) ?? '');
}

/** A template whose interpolations are escaped (arrays joined, null/undefined/false empty). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    out += fragment(value) + strings[i + 1];
  });
  return new SafeHtml(out);
}

const STYLE = `
:root{color-scheme:light}
body{font:14px/1.45 system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:center}
header a{color:#cbd5e1}
.badge{background:#f59e0b;color:#1d2330;font-weight:700;padding:2px 8px;border-radius:4px}
main{padding:16px 20px}
h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;background:#fff;width:100%;box-shadow:0 1px 3px rgba(0,0,0,.08)}
th,td{border:1px solid #e5e7eb;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef0f4;font-weight:600}
.muted{color:#6b7280}.empty{color:#6b7280;font-style:italic;padding:8px 0}
.won{color:#15803d;font-weight:600}.lost{color:#b91c1c;font-weight:600}
ul.comments{margin:0;padding-left:16px}ul.comments li{margin:2px 0}.pre{white-space:pre-wrap}
code{background:#eef0f4;padding:0 4px;border-radius:3px}
`;

export interface PageOptions {
  /** `Bitrix24`, `amoCRM`, `Google Sheets`, `VPOS`. */
  emulator: string;
  title: string;
  body: SafeHtml;
  /** Seconds between reloads; 0 = none. Default 5. */
  refreshSeconds?: number;
}

export function renderPage(options: PageOptions): string {
  const refresh = options.refreshSeconds ?? 5;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${refresh > 0 ? html`<meta http-equiv="refresh" content="${refresh}" />` : ''}
        <title>${options.title} · ${options.emulator} emulator · SANDBOX</title>
        <style>
          ${new SafeHtml(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <span class="badge">SANDBOX</span><strong>${options.emulator} emulator</strong>
          <a href="${PAGES_PATH}">pages</a
          ><span class="muted">test data only, nothing here is real</span>
        </header>
        <main>
          <h1>${options.title}</h1>
          ${options.body}
        </main>
      </body>
    </html> `.value;
}

/** A table; a cell is escaped text or `SafeHtml`. */
export function table(headers: string[], rows: unknown[][], empty = 'Nothing yet.'): SafeHtml {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<table>
    <thead>
      <tr>
        ${headers.map((h) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr>
            ${row.map((cell) => html`<td>${cell}</td>`)}
          </tr> `,
      )}
    </tbody>
  </table>`;
}

/** A page answer: no caching, and no script may run even if something slipped past escaping. */
export function sendPage(res: ServerResponse, status: number, page: string): void {
  sendText(res, status, page, 'text/html; charset=utf-8', {
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
    'x-content-type-options': 'nosniff',
  });
}

/** Whether the client asked for HTML (a browser) rather than JSON. */
export function wantsHtml(accept: string | string[] | undefined): boolean {
  const value = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  return value.toLowerCase().includes('text/html');
}

/** `<a href>` to a page path; `path` segments are encoded by the caller. */
export function link(href: string, text: unknown): SafeHtml {
  return html`<a href="${href}">${text}</a>`;
}
