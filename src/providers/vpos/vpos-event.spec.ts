import { DEFAULT_VPOS_FIELDS } from './vpos-fields';
import { vposIdentifierProblem } from './vpos-event';

const body = (data: Record<string, unknown>, top: Record<string, unknown> = {}) => ({
  id: 'evt_1',
  type: 'payment.paid',
  data: { id: 'ps_1', merchantOrderId: 'ord-1', status: 'paid', ...data },
  ...top,
});

describe('vposIdentifierProblem', () => {
  it('accepts ordinary identifiers, numbers and absent ones', () => {
    expect(vposIdentifierProblem(body({}), DEFAULT_VPOS_FIELDS)).toBeUndefined();
    expect(
      vposIdentifierProblem(body({ id: 42, status: null }), DEFAULT_VPOS_FIELDS),
    ).toBeUndefined();
    expect(vposIdentifierProblem({ id: 'évt-ü' }, DEFAULT_VPOS_FIELDS)).toBeUndefined();
  });

  it.each([
    [
      body({ merchantOrderId: 'a\u0000b' }),
      'data.merchantOrderId: must be 1-128 printable characters',
    ],
    [body({ id: '\ud800' }), 'data.id: must be 1-128 printable characters'],
    [body({}, { id: 'x'.repeat(3000) }), 'id: must be 1-128 printable characters'],
    [body({}, { type: '' }), 'type: must be 1-128 printable characters'],
    [body({ status: { $ne: 1 } }), 'data.status: must be a string'],
    [body({ merchantOrderId: ['a'] }), 'data.merchantOrderId: must be a string'],
    [body({ status: 'pa\nid' }), 'data.status: must be 1-128 printable characters'],
  ])('%j → %s', (value, message) => {
    expect(vposIdentifierProblem(value, DEFAULT_VPOS_FIELDS)).toBe(message);
  });
});
