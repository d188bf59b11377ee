import { safeCell } from './reconciliation-export';

describe('CSV export cells', () => {
  it.each(['=SUM(A1)', '+1', '-2+3', '@cmd', '\tx', '\rx'])('%j never starts a formula', (v) => {
    expect(safeCell(v)).toBe(`'${v}`);
  });

  it('keeps ordinary text, numbers and empty cells as they are', () => {
    expect(safeCell('A-1001')).toBe('A-1001');
    expect(safeCell(-5)).toBe(-5);
    expect(safeCell(null)).toBeNull();
    expect(safeCell(new Date('2026-12-07T00:00:00Z'))).toBe('2026-12-07T00:00:00.000Z');
  });
});
