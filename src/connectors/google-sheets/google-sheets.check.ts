import { ConnectorError } from '../crm-connector';
import type { SheetsClient } from './google-sheets.client';
import { classifySheetsError } from './google-sheets.errors';
import { cellText, columnLetter, quoteSheet } from './google-sheets.mapper';
import type { SheetConfig } from './google-sheets.settings';

const refuse = (message: string) =>
  new ConnectorError('google-sheets', 'permanent', 'INVALID_SETTINGS', message);

// Writing the header row (the same texts when it matched) proves the hub can write.
export async function checkSheet(
  client: SheetsClient,
  spreadsheetId: string,
  cfg: SheetConfig,
): Promise<void> {
  const tabs = await google(
    () => client.tabs(spreadsheetId),
    `settings.spreadsheetId: Google refused to open ${spreadsheetId}`,
  );
  const tab = cfg.sheetName === undefined ? tabs[0] : tabs.find((t) => t.title === cfg.sheetName);
  if (!tab) {
    throw refuse(
      `settings.sheetName: the spreadsheet has no tab "${cfg.sheetName}" (tabs: ${tabs.map((t) => t.title).join(', ')})`,
    );
  }
  const sheet = quoteSheet(tab.title);
  const [header = []] = await google(
    () => client.get(spreadsheetId, `${sheet}!1:1`),
    `settings.sheetName: Google refused to read "${tab.title}"`,
  );
  const present = header.map((v) => cellText(v).trim());
  if (present.some((v) => v !== '')) {
    const width = Math.max(present.length, cfg.headers.length);
    for (let i = 0; i < width; i += 1) {
      const expected = cfg.headers[i] ?? '';
      if ((present[i] ?? '') === expected.trim()) continue;
      const key = cfg.columns[i];
      throw refuse(
        `settings.${key ? `headers.${key}` : 'columns'}: column ${columnLetter(i)} of "${tab.title}" is headed "${present[i] ?? ''}", expected "${expected}"; fix the sheet's header row or the settings`,
      );
    }
  }
  const last = columnLetter(cfg.headers.length - 1);
  await google(
    () => client.update(spreadsheetId, `${sheet}!A1:${last}1`, [cfg.headers]),
    `settings.spreadsheetId: the hub cannot write to "${tab.title}"`,
  );
}

async function google<T>(fn: () => Promise<T>, what: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = classifySheetsError(err);
    const kind = e.kind === 'auth' ? 'credentials: Google refused them' : what;
    throw new ConnectorError(
      'google-sheets',
      e.kind,
      e.code,
      `${kind} (${e.message})`,
      e.httpStatus,
    );
  }
}
