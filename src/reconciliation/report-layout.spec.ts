import { DEFAULT_COLUMNS, mergeColumns, parseRow } from './report-layout';

const row = (over: Record<string, unknown> = {}) => ({
  provider_reference: 'ps_1',
  order_id: 'A-1',
  amount_minor: '1250000',
  currency: 'amd',
  status: 'succeeded',
  paid_at: '2026-12-06T10:00:00Z',
  refund_amount_minor: '',
  ...over,
});

describe('report layout', () => {
  it('reads a row of the default layout, mapping VPOS status names', () => {
    expect(parseRow(row(), 2, DEFAULT_COLUMNS, {})).toEqual({
      ok: true,
      row: {
        line: 2,
        providerReference: 'ps_1',
        orderId: 'A-1',
        amountMinor: 1_250_000,
        currency: 'AMD',
        status: 'paid',
        paidAt: new Date('2026-12-06T10:00:00Z'),
        refundAmountMinor: null,
      },
    });
    const declined = parseRow(row({ status: 'declined' }), 3, DEFAULT_COLUMNS, {});
    expect(declined.ok && declined.row.status).toBe('failed');
    const custom = parseRow(row({ status: 'OK' }), 3, DEFAULT_COLUMNS, { ok: 'paid' });
    expect(custom.ok && custom.row.status).toBe('paid');
  });

  it.each([
    [{ amount_minor: '12.50' }, /^amount_minor:/],
    [{ amount_minor: '' }, /^amount_minor:/],
    [{ currency: 'dram' }, /^currency:/],
    [{ status: 'weird' }, /^status: unknown status "weird"/],
    [{ status: 'manual_review' }, /^status: unknown status/],
    [{ paid_at: 'tomorrow' }, /^paid_at:/],
    [{ refund_amount_minor: '-1' }, /^refund_amount_minor:/],
    [{ provider_reference: ' ' }, /^provider_reference: is required/],
    [{ order_id: 'A\u0000' }, /^order_id:/],
  ])('%j is malformed', (over, problem) => {
    const out = parseRow(row(over), 7, DEFAULT_COLUMNS, {});
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.line).toBe(7);
      expect(out.problem).toMatch(problem);
    }
  });

  it('names the report column, not our field, once mapped', () => {
    const merged = mergeColumns(DEFAULT_COLUMNS, { amount_minor: 'Sum' }, 'columns');
    if (!('columns' in merged)) throw new Error(merged.problem);
    const out = parseRow({ ...row(), Sum: 'x' }, 2, merged.columns, {});
    expect(!out.ok && out.problem).toMatch(/^Sum:/);
  });

  it('refuses a mapping that is not an object, names an unknown field or reuses a column', () => {
    expect(mergeColumns(DEFAULT_COLUMNS, [], 'columns')).toEqual({
      problem: 'columns: must be an object of field → column name',
    });
    expect(mergeColumns(DEFAULT_COLUMNS, { foo: 'x' }, 'columns')).toMatchObject({
      problem: expect.stringMatching(/^columns\.foo: unknown field/),
    });
    expect(mergeColumns(DEFAULT_COLUMNS, { order_id: 'status' }, 'columns')).toMatchObject({
      problem: 'columns: column "status" is mapped to two fields',
    });
  });
});
