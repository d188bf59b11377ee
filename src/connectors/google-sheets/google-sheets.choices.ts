import type { MappingChoices } from '../crm-connector';
import type { SheetsClient } from './google-sheets.client';
import { classifySheetsError } from './google-sheets.errors';
import { cellText, quoteSheet } from './google-sheets.mapper';

/** The spreadsheet's tabs and the header row of the chosen tab (the first when none is). */
export async function sheetsChoices(
  client: SheetsClient,
  spreadsheetId: string,
  sheetName: string | undefined,
): Promise<MappingChoices> {
  try {
    const tabs = (await client.tabs(spreadsheetId)).map((t) => t.title);
    const chosen = sheetName !== undefined && tabs.includes(sheetName) ? sheetName : tabs[0];
    if (chosen === undefined) return { tabs };
    const [header = []] = await client.get(spreadsheetId, `${quoteSheet(chosen)}!1:1`);
    return { tabs, sheetName: chosen, header: header.map((v) => cellText(v)) };
  } catch (err) {
    throw classifySheetsError(err);
  }
}
