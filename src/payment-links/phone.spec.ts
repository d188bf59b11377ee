import { normalizePhone } from './phone';

describe('customer phone normalization', () => {
  it.each([
    ['+37491234567', '+37491234567'],
    ['+374 91 23-45-67', '+37491234567'],
    ['091 23 45 67', '+37491234567'],
    ['(091) 234-567', '+37491234567'],
    ['91234567', '+37491234567'],
    ['37491234567', '+37491234567'],
    ['0037491234567', '+37491234567'],
    ['+7 916 123-45-67', '+79161234567'],
    ['+1 (415) 555-2671', '+14155552671'],
  ])('%s → %s', (input, e164) => {
    expect(normalizePhone(input)).toBe(e164);
  });

  it.each([
    '',
    'abc',
    '12345',
    '+374 91 234',
    '+3749123456789',
    '0912345',
    '+0 123 456 789',
    '9161234567',
  ])('refuses %p', (input) => {
    expect(normalizePhone(input)).toBeUndefined();
  });
});

describe('per-country validation', () => {
  it('accepts an Armenian landline and refuses numbers that fit the length but not the plan', () => {
    expect(normalizePhone('010 12 34 56')).toBe('+37410123456');
    expect(normalizePhone('+374 00 123456')).toBeUndefined();
    expect(normalizePhone('+7 000 123-45-67')).toBeUndefined();
  });
});
