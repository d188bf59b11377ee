/**
 * Spreadsheets and the `spreadsheets.values` semantics of docs C1: value input (RAW/USER_ENTERED),
 * rendering, trailing-empty trimming, writes bounded by the range, and append's table detection with
 * OVERWRITE vs INSERT_ROWS. Each write is planned (validated) first and applied later, so batch
 * requests are all or nothing.
 */
import { formatA1, parseA1, quoteSheet, columnLetters, type A1Range } from './a1-range';
import { computed, isFormula, parseFormula, type Formula } from './formula';
import { googleError } from './http-io';

export type CellValue = string | number | boolean;
/** What a cell holds: a value, or a formula (USER_ENTERED `=…`). */
export type StoredValue = CellValue | Formula;
export type ValueInputOption = 'RAW' | 'USER_ENTERED';
export type ValueRenderOption = 'FORMATTED_VALUE' | 'UNFORMATTED_VALUE' | 'FORMULA';
export type MajorDimension = 'ROWS' | 'COLUMNS';

export interface SheetData {
  sheetId: number;
  title: string;
  index: number;
  rowCount: number;
  columnCount: number;
  frozenRowCount: number;
  rows: Array<Array<StoredValue | null>>;
}

export interface SpreadsheetData {
  spreadsheetId: string;
  title: string;
  locale: string;
  timeZone: string;
  sheets: SheetData[];
  /** E-mails allowed to use it, or `anyone` (any authenticated caller). */
  access: 'anyone' | Set<string>;
}

export interface ValueRange {
  range: string;
  majorDimension: MajorDimension;
  values?: CellValue[][];
}

export interface UpdateValuesResponse {
  spreadsheetId: string;
  updatedRange: string;
  updatedRows?: number;
  updatedColumns?: number;
  updatedCells?: number;
  updatedData?: ValueRange;
}

export interface PlannedWrite {
  sheet: SheetData;
  apply(): UpdateValuesResponse;
}

interface Box {
  sheet: SheetData;
  r0: number;
  c0: number;
  r1: number;
  c1: number;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number.parseFloat(n.toPrecision(15)));
}

export function render(stored: StoredValue, option: ValueRenderOption): CellValue {
  if (isFormula(stored) && option === 'FORMULA') return stored.formula;
  const value = isFormula(stored) ? computed(stored) : stored;
  if (option !== 'FORMATTED_VALUE') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return value;
}

/** How Sheets stores what the user typed (USER_ENTERED) or what was sent (RAW). */
export function inputValue(value: CellValue, option: ValueInputOption): StoredValue {
  if (option === 'RAW' || typeof value !== 'string') return value;
  if (value.startsWith("'")) return value.slice(1);
  const formula = parseFormula(value);
  if (formula) return formula;
  const trimmed = value.trim();
  if (NUMBER.test(trimmed)) return Number(trimmed);
  if (/^(true|false)$/i.test(trimmed)) return trimmed.toUpperCase() === 'TRUE';
  return value;
}

export function cellAt(sheet: SheetData, row: number, col: number): StoredValue | null {
  return sheet.rows[row]?.[col] ?? null;
}

function setCell(sheet: SheetData, row: number, col: number, value: StoredValue | null): void {
  while (sheet.rows.length <= row) sheet.rows.push([]);
  const cells = sheet.rows[row];
  if (value === null) {
    if (col < cells.length) cells[col] = null;
    return;
  }
  while (cells.length < col) cells.push(null);
  cells[col] = value;
}

function isEmpty(value: StoredValue | null): boolean {
  return value === null || value === '';
}

function omitZeros<T extends object>(body: T): T {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== 0)) as T;
}

function transpose<T>(rows: T[][]): T[][] {
  const width = Math.max(0, ...rows.map((r) => r.length));
  return Array.from({ length: width }, (_, c) => rows.map((r) => r[c]));
}

export function parseRange(
  ss: SpreadsheetData,
  text: string,
): { sheet: SheetData; range: A1Range } {
  const range = parseA1(text);
  const sheet =
    range?.sheet === undefined
      ? ss.sheets[0]
      : ss.sheets.find((s) => s.title.toLowerCase() === range.sheet?.toLowerCase());
  if (!range || !sheet) throw googleError(400, `Unable to parse range: ${text}`);
  return { sheet, range };
}

function gridLimitError(sheet: SheetData, row: number, col: number): never {
  throw googleError(
    400,
    `Range ('${sheet.title}'!${columnLetters(col)}${row + 1}) exceeds grid limits. ` +
      `Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`,
  );
}

/** The requested range clamped to the grid (reads). */
function readBox(ss: SpreadsheetData, text: string): Box {
  const { sheet, range } = parseRange(ss, text);
  if (range.startRow >= sheet.rowCount || range.startCol >= sheet.columnCount) {
    gridLimitError(sheet, range.startRow, range.startCol);
  }
  return {
    sheet,
    r0: range.startRow,
    c0: range.startCol,
    r1: Math.min(range.endRow ?? Infinity, sheet.rowCount - 1),
    c1: Math.min(range.endCol ?? Infinity, sheet.columnCount - 1),
  };
}

function boxValues(box: Box, option: ValueRenderOption, major: MajorDimension): CellValue[][] {
  let rows: Array<Array<StoredValue | null>> = [];
  for (let r = box.r0; r <= box.r1 && r < box.sheet.rows.length; r += 1) {
    const row: Array<StoredValue | null> = [];
    for (let c = box.c0; c <= box.c1; c += 1) row.push(cellAt(box.sheet, r, c));
    rows.push(row);
  }
  if (major === 'COLUMNS') rows = transpose(rows);
  const trimmed = rows.map((row) => {
    let end = row.length;
    while (end > 0 && isEmpty(row[end - 1] ?? null)) end -= 1;
    return row.slice(0, end).map((v) => (v === null ? '' : render(v, option)));
  });
  while (trimmed.length > 0 && trimmed[trimmed.length - 1].length === 0) trimmed.pop();
  return trimmed;
}

export function readValues(
  ss: SpreadsheetData,
  text: string,
  option: ValueRenderOption = 'FORMATTED_VALUE',
  major: MajorDimension = 'ROWS',
): ValueRange {
  const box = readBox(ss, text);
  const values = boxValues(box, option, major);
  const range = formatA1(box.sheet.title, box.r0, box.c0, box.r1, box.c1);
  return values.length > 0
    ? { range, majorDimension: major, values }
    : { range, majorDimension: major };
}

/** Checks the ValueRange `values`: an array of arrays of string, number, boolean or null. */
export function checkValues(raw: unknown, major: MajorDimension): Array<Array<CellValue | null>> {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw))
    throw googleError(
      400,
      `Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue)`,
    );
  const rows = raw.map((row: unknown, i) => {
    if (!Array.isArray(row)) {
      throw googleError(
        400,
        `Invalid value at 'data.values[${i}]' (type.googleapis.com/google.protobuf.ListValue)`,
      );
    }
    return row.map((cell: unknown, j): CellValue | null => {
      if (cell === null || ['string', 'number', 'boolean'].includes(typeof cell)) {
        return cell as CellValue | null;
      }
      throw googleError(400, `Invalid values[${i}][${j}]: ${JSON.stringify(cell)}`);
    });
  });
  return major === 'COLUMNS' ? transpose(rows).map((r) => r.map((v) => v ?? null)) : rows;
}

export function majorOf(raw: unknown): MajorDimension {
  if (raw === undefined || raw === 'ROWS' || raw === 'DIMENSION_UNSPECIFIED') return 'ROWS';
  if (raw === 'COLUMNS') return 'COLUMNS';
  throw googleError(400, `Invalid value for majorDimension: ${JSON.stringify(raw)}`);
}

export function writeCells(
  box: { sheet: SheetData; r0: number; c0: number },
  rows: Array<Array<CellValue | null>>,
  option: ValueInputOption,
): { rows: number; cols: number; cells: number } {
  const { sheet, r0, c0 } = box;
  const width = Math.max(0, ...rows.map((r) => r.length));
  sheet.rowCount = Math.max(sheet.rowCount, r0 + rows.length);
  sheet.columnCount = Math.max(sheet.columnCount, c0 + width);
  let cells = 0;
  rows.forEach((row, i) =>
    row.forEach((value, j) => {
      if (value === null) return;
      cells += 1;
      setCell(sheet, r0 + i, c0 + j, value === '' ? null : inputValue(value, option));
    }),
  );
  return { rows: rows.length, cols: width, cells };
}

function updateResponse(
  ss: SpreadsheetData,
  sheet: SheetData,
  r0: number,
  c0: number,
  written: { rows: number; cols: number; cells: number },
  includeValues: ValueRenderOption | undefined,
): UpdateValuesResponse {
  const r1 = r0 + Math.max(written.rows, 1) - 1;
  const c1 = c0 + Math.max(written.cols, 1) - 1;
  const updatedRange = formatA1(sheet.title, r0, c0, r1, c1);
  const body: UpdateValuesResponse = omitZeros({
    spreadsheetId: ss.spreadsheetId,
    updatedRange,
    updatedRows: written.rows,
    updatedColumns: written.cols,
    updatedCells: written.cells,
  });
  if (includeValues) body.updatedData = readValues(ss, updatedRange, includeValues);
  return body;
}

/** values.update and each item of values.batchUpdate. */
export function planUpdate(
  ss: SpreadsheetData,
  text: string,
  rows: Array<Array<CellValue | null>>,
  option: ValueInputOption,
  includeValues?: ValueRenderOption,
): PlannedWrite {
  const { sheet, range } = parseRange(ss, text);
  const width = Math.max(0, ...rows.map((r) => r.length));
  const requested = () =>
    `${quoteSheet(sheet.title)}!${text.includes('!') ? text.slice(text.lastIndexOf('!') + 1) : text}`;
  if (range.endRow !== undefined && rows.length > range.endRow - range.startRow + 1) {
    throw googleError(
      400,
      `Requested writing within range [${requested()}], but tried writing to row [${range.startRow + rows.length}]`,
    );
  }
  if (range.endCol !== undefined && width > range.endCol - range.startCol + 1) {
    throw googleError(
      400,
      `Requested writing within range [${requested()}], but tried writing to column [${columnLetters(range.startCol + width - 1)}]`,
    );
  }
  return {
    sheet,
    apply: () => {
      const written = writeCells({ sheet, r0: range.startRow, c0: range.startCol }, rows, option);
      return updateResponse(ss, sheet, range.startRow, range.startCol, written, includeValues);
    },
  };
}

function rowHasData(sheet: SheetData, row: number, c0: number, c1: number): boolean {
  const cells = sheet.rows[row] ?? [];
  for (let c = c0; c <= Math.min(c1, cells.length - 1); c += 1) if (!isEmpty(cells[c])) return true;
  return false;
}

/**
 * values.append: finds the first table (contiguous non-empty rows) in the range's columns, writes
 * after its last row starting at the table's first column; with no table, at the range's start.
 */
export function append(
  ss: SpreadsheetData,
  text: string,
  rows: Array<Array<CellValue | null>>,
  option: ValueInputOption,
  insert: 'OVERWRITE' | 'INSERT_ROWS',
  includeValues?: ValueRenderOption,
): { spreadsheetId: string; tableRange?: string; updates: UpdateValuesResponse } {
  const { sheet, range } = parseRange(ss, text);
  const c1 = range.endCol ?? Math.max(sheet.columnCount - 1, range.startCol);
  const lastRow = Math.min(range.endRow ?? Infinity, sheet.rows.length - 1);
  let start = -1;
  for (let r = range.startRow; r <= lastRow; r += 1) {
    if (rowHasData(sheet, r, range.startCol, c1)) {
      start = r;
      break;
    }
  }
  let writeRow = range.startRow;
  let writeCol = range.startCol;
  let tableRange: string | undefined;
  if (start >= 0) {
    let end = start;
    while (rowHasData(sheet, end + 1, range.startCol, c1)) end += 1;
    let left = c1;
    let right = range.startCol;
    for (let r = start; r <= end; r += 1) {
      for (let c = range.startCol; c <= c1; c += 1) {
        if (isEmpty(cellAt(sheet, r, c))) continue;
        left = Math.min(left, c);
        right = Math.max(right, c);
      }
    }
    tableRange = formatA1(sheet.title, start, left, end, right);
    writeRow = end + 1;
    writeCol = left;
  }
  if (insert === 'INSERT_ROWS' && rows.length > 0) {
    if (writeRow < sheet.rows.length) {
      sheet.rows.splice(writeRow, 0, ...rows.map(() => []));
    }
    sheet.rowCount += rows.length;
  }
  const written = writeCells({ sheet, r0: writeRow, c0: writeCol }, rows, option);
  const updates = updateResponse(ss, sheet, writeRow, writeCol, written, includeValues);
  return tableRange === undefined
    ? { spreadsheetId: ss.spreadsheetId, updates }
    : { spreadsheetId: ss.spreadsheetId, tableRange, updates };
}

export function clear(ss: SpreadsheetData, text: string): string {
  const box = readBox(ss, text);
  for (let r = box.r0; r <= box.r1 && r < box.sheet.rows.length; r += 1) {
    for (let c = box.c0; c <= box.c1; c += 1) setCell(box.sheet, r, c, null);
  }
  return formatA1(box.sheet.title, box.r0, box.c0, box.r1, box.c1);
}

/** A human inserting `count` empty rows before row `at` (0-based). */
export function insertRows(sheet: SheetData, at: number, count: number): void {
  if (at < sheet.rows.length) sheet.rows.splice(at, 0, ...Array.from({ length: count }, () => []));
  sheet.rowCount += count;
}

/**
 * A human sorting a range (Data > Sort range): rows from `from` (0-based, below a header) to
 * the last row with data are reordered by one column's value, numbers before text, stable.
 */
export function sortRows(sheet: SheetData, from: number, column: number, descending = false): void {
  const body = sheet.rows.slice(from);
  const key = (row: Array<StoredValue | null>) => {
    const v = row[column] ?? null;
    return isFormula(v) ? computed(v) : v;
  };
  const rank = (v: CellValue | null) =>
    v === null || v === '' ? 2 : typeof v === 'number' ? 0 : 1;
  body.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (rank(x) !== rank(y)) return rank(x) - rank(y);
    if (rank(x) === 2) return 0;
    const order =
      typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return descending ? -order : order;
  });
  sheet.rows.splice(from, body.length, ...body);
}

export function spreadsheetResource(ss: SpreadsheetData, baseUrl: string): object {
  return {
    spreadsheetId: ss.spreadsheetId,
    properties: {
      title: ss.title,
      locale: ss.locale,
      autoRecalc: 'ON_CHANGE',
      timeZone: ss.timeZone,
      defaultFormat: { verticalAlignment: 'BOTTOM', wrapStrategy: 'OVERFLOW_CELL' },
    },
    sheets: ss.sheets.map((s) => ({
      properties: {
        sheetId: s.sheetId,
        title: s.title,
        index: s.index,
        sheetType: 'GRID',
        gridProperties: omitZeros({
          rowCount: s.rowCount,
          columnCount: s.columnCount,
          frozenRowCount: s.frozenRowCount,
        }),
      },
    })),
    spreadsheetUrl: `${baseUrl}/spreadsheets/d/${ss.spreadsheetId}/edit`,
  };
}
