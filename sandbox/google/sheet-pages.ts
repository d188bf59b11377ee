/**
 * Read-only HTML pages for people: `/` links to `/_emulator/ui`, the index of spreadsheets; each
 * spreadsheet shows every tab as a table of FORMATTED_VALUE cells, the stored value in `title`.
 */
import {
  html,
  link,
  PAGES_PATH,
  renderPage,
  sendPage,
  table,
  type SafeHtml,
} from '../common/html-page';
import { columnLetters } from './a1-range';
import type { GoogleState } from './google-state';
import { route, type Route } from './route-table';
import { render, type SheetData, type SpreadsheetData, type StoredValue } from './sheet-model';

const EMULATOR = 'Google Sheets';

const sheetPath = (id: string): string => `${PAGES_PATH}/spreadsheets/${encodeURIComponent(id)}`;

/** What `valueRenderOption=FORMULA` would return, and its type when that is not obvious. */
function stored(value: StoredValue): string {
  const raw = render(value, 'FORMULA');
  return typeof raw === 'string' ? raw : `${String(raw)} (${typeof raw})`;
}

function cell(value: StoredValue | null): SafeHtml {
  if (value === null) return html`<td></td>`;
  return html`<td title="${stored(value)}">${render(value, 'FORMATTED_VALUE')}</td>`;
}

function sheetTable(sheet: SheetData): SafeHtml {
  const width = Math.max(0, ...sheet.rows.map((r) => r.length));
  if (width === 0) return html`<p class="empty">Empty sheet.</p>`;
  const letters = Array.from({ length: width }, (_, c) => html`<th>${columnLetters(c)}</th>`);
  const rows = sheet.rows.map(
    (row, r) =>
      html`<tr>
        <th>${r + 1}</th>
        ${Array.from({ length: width }, (_, c) => cell(row[c] ?? null))}
      </tr> `,
  );
  return html`<table>
    <thead>
      <tr>
        <th></th>
        ${letters}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

function spreadsheetPage(ss: SpreadsheetData): string {
  const anchor = (sheet: SheetData): string => `sheet-${sheet.sheetId}`;
  const tabs = ss.sheets.map((s) => html`<li>${link(`#${anchor(s)}`, s.title)}</li>`);
  const sections = ss.sheets.map(
    (s) =>
      html`<h2 id="${anchor(s)}">${s.title} <span class="muted">gid ${s.sheetId}</span></h2>
        ${sheetTable(s)}`,
  );
  return renderPage({
    emulator: EMULATOR,
    title: `Spreadsheet ${ss.title}`,
    body: html`<p>
        ${link(PAGES_PATH, 'All spreadsheets')} · id <code>${ss.spreadsheetId}</code>. Cells show
        what the API returns as FORMATTED_VALUE; hover a cell for the stored value or formula.
      </p>
      <ul>
        ${tabs}
      </ul>
      ${sections}`,
  });
}

function indexPage(state: GoogleState): string {
  const rows = [...state.spreadsheets.values()].map((ss) => [
    link(sheetPath(ss.spreadsheetId), ss.title),
    html`<code>${ss.spreadsheetId}</code>`,
    ss.sheets.map((s) => `${s.title} (${s.rows.length} rows)`).join(', '),
  ]);
  return renderPage({
    emulator: EMULATOR,
    title: 'Spreadsheets',
    body: table(['Title', 'spreadsheetId', 'Sheets'], rows, 'No spreadsheets yet.'),
  });
}

function landingPage(state: GoogleState): string {
  return renderPage({
    emulator: EMULATOR,
    title: 'Google OAuth and Sheets API',
    refreshSeconds: 0,
    body: html`<ul>
        <li>${link(PAGES_PATH, 'Spreadsheets, each sheet as a table')}</li>
      </ul>
      <p class="muted">
        Sheets API root: <code>${state.url}</code>; authorize:
        <code>${state.endpoints.authorize}</code>.
      </p>`,
  });
}

/** Unauthenticated pages outside the APIs: never counted, limited or faulted (as controls). */
export function buildPageRoutes(state: GoogleState): Route[] {
  const page = (path: string, handler: Route['handler']): Route =>
    route('GET', path, 'control', handler);
  const spreadsheet: Route['handler'] = ({ res, params }) => {
    const ss = state.spreadsheets.get(params[0]);
    if (ss) return sendPage(res, 200, spreadsheetPage(ss));
    const body = html`<p>No spreadsheet ${params[0]}.</p>`;
    sendPage(res, 404, renderPage({ emulator: EMULATOR, title: 'Not found', body }));
  };
  return [
    page('/', ({ res }) => sendPage(res, 200, landingPage(state))),
    page(PAGES_PATH, ({ res }) => sendPage(res, 200, indexPage(state))),
    page(`${PAGES_PATH}/spreadsheets/:id`, spreadsheet),
    // Where docs.google.com opens a sheet (the hub's row links, `#gid=..&range=A<row>` after it).
    page('/spreadsheets/d/:id/edit', spreadsheet),
  ];
}
