/**
 * A1 notation (docs C1, E): `Sheet1!A1:F5`, `Sheet1!A:F`, `Sheet1!A5:F`, `Sheet1!5:5`, `'My sheet'!B2`,
 * a bare sheet name, or a bare range on the first sheet. Rows and columns are 0-based and inclusive;
 * `undefined` means unbounded.
 */
export interface A1Range {
  sheet?: string;
  startRow: number;
  startCol: number;
  endRow?: number;
  endCol?: number;
}

const ENDPOINT = /^([A-Za-z]{0,3})(\d{0,7})$/;

export function columnIndex(letters: string): number {
  return [...letters.toUpperCase()].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0) - 1;
}

export function columnLetters(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

function parseRef(ref: string): Omit<A1Range, 'sheet'> | undefined {
  const parts = ref.split(':');
  if (parts.length > 2) return undefined;
  const ends = parts.map((p) => ENDPOINT.exec(p.trim()));
  if (ends.some((m) => m === null || (m[1] === '' && m[2] === ''))) return undefined;
  const [start, end] = ends as RegExpExecArray[];
  const row = (digits: string): number | undefined =>
    digits === '' ? undefined : Number(digits) - 1;
  const col = (letters: string): number | undefined =>
    letters === '' ? undefined : columnIndex(letters);
  if ((start[2] !== '' && Number(start[2]) < 1) || (end && end[2] !== '' && Number(end[2]) < 1)) {
    return undefined;
  }
  if (!end) {
    if (start[1] === '' || start[2] === '') return undefined;
    const r = row(start[2]) as number;
    const c = col(start[1]) as number;
    return { startRow: r, startCol: c, endRow: r, endCol: c };
  }
  let startRow = row(start[2]) ?? 0;
  let startCol = col(start[1]) ?? 0;
  let endRow = row(end[2]);
  let endCol = col(end[1]);
  // A column-only start (`A:B`) or row-only start (`5:7`) needs a matching end.
  if ((start[1] === '') !== (end[1] === '') && start[1] === '') return undefined;
  if (start[2] === '' && end[2] !== '' && start[1] === '') return undefined;
  if (endRow !== undefined && endRow < startRow) [startRow, endRow] = [endRow, startRow];
  if (endCol !== undefined && endCol < startCol) [startCol, endCol] = [endCol, startCol];
  return { startRow, startCol, endRow, endCol };
}

/** Parses an A1 range; `undefined` when it is not valid A1 notation. */
export function parseA1(text: string): A1Range | undefined {
  const input = text.trim();
  if (input === '') return undefined;
  let sheet: string | undefined;
  let ref: string | undefined;
  if (input.startsWith("'")) {
    const close = /^'((?:[^']|'')*)'(?:!(.*))?$/.exec(input);
    if (!close) return undefined;
    sheet = close[1].replace(/''/g, "'");
    ref = close[2];
  } else {
    const bang = input.lastIndexOf('!');
    if (bang >= 0) {
      sheet = input.slice(0, bang);
      ref = input.slice(bang + 1);
    } else {
      const asRef = parseRef(input);
      if (asRef) return asRef;
      sheet = input;
    }
  }
  if (ref === undefined || ref === '') return { sheet, startRow: 0, startCol: 0 };
  const parsed = parseRef(ref);
  return parsed && { sheet, ...parsed };
}

export function quoteSheet(title: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(title) && !/^[A-Za-z]{1,3}\d+$/.test(title);
  return plain ? title : `'${title.replace(/'/g, "''")}'`;
}

/** `Sheet1!A1:F5`, or `Sheet1!B2` for one cell. */
export function formatA1(
  title: string,
  startRow: number,
  startCol: number,
  endRow: number,
  endCol: number,
): string {
  const start = `${columnLetters(startCol)}${startRow + 1}`;
  const end = `${columnLetters(endCol)}${endRow + 1}`;
  return `${quoteSheet(title)}!${start === end ? start : `${start}:${end}`}`;
}
