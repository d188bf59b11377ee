/**
 * Formula cells. With USER_ENTERED a string starting with `=` is parsed as a formula (RAW keeps
 * the string): FORMULA rendering answers the formula, the other render options its computed
 * value. Only arithmetic on number literals is computed here; anything else (functions, cell
 * references, IMPORTXML and friends) computes to `#N/A`, the error Sheets shows for a lookup it
 * cannot resolve.
 */
import type { CellValue } from './sheet-model';

export interface Formula {
  formula: string;
}

export const NOT_AVAILABLE = '#N/A';

export function isFormula(value: unknown): value is Formula {
  return typeof value === 'object' && value !== null && 'formula' in value;
}

/** What USER_ENTERED makes of a string that starts with `=`, or undefined when it is no formula. */
export function parseFormula(text: string): Formula | undefined {
  return text.length > 1 && text.startsWith('=') ? { formula: text } : undefined;
}

export function computed(value: Formula): CellValue {
  const result = arithmetic(value.formula.slice(1));
  return result === undefined || !Number.isFinite(result) ? NOT_AVAILABLE : result;
}

/** `+ - * /`, parentheses and number literals; undefined for anything else. */
function arithmetic(text: string): number | undefined {
  const tokens = text.match(/\d+\.?\d*|\.\d+|[-+*/()]|\S/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const factor = (): number | undefined => {
    const t = tokens[at++];
    if (t === '-') return neg(factor());
    if (t === '+') return factor();
    if (t === '(') {
      const v = sum();
      return tokens[at++] === ')' ? v : undefined;
    }
    return t !== undefined && /^(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : undefined;
  };
  const product = (): number | undefined => {
    let v = factor();
    while (v !== undefined && (peek() === '*' || peek() === '/')) {
      const op = tokens[at++];
      const r = factor();
      v = r === undefined ? undefined : op === '*' ? v * r : v / r;
    }
    return v;
  };
  const sum = (): number | undefined => {
    let v = product();
    while (v !== undefined && (peek() === '+' || peek() === '-')) {
      const op = tokens[at++];
      const r = product();
      v = r === undefined ? undefined : op === '+' ? v + r : v - r;
    }
    return v;
  };
  const value = sum();
  return at === tokens.length ? value : undefined;
}

function neg(v: number | undefined): number | undefined {
  return v === undefined ? undefined : -v;
}
