import { batchCommand, classifyBitrix24Error } from './bitrix24.errors';

describe('Bitrix24 error classes', () => {
  it.each([
    [503, 'QUERY_LIMIT_EXCEEDED', 'retryable'],
    [429, 'OPERATION_TIME_LIMIT', 'retryable'],
    [500, 'INTERNAL_SERVER_ERROR', 'retryable'],
    [500, 'PORTAL_DELETED', 'permanent'],
    [undefined, undefined, 'retryable'],
    [401, 'expired_token', 'auth'],
    [401, 'NO_AUTH_FOUND', 'auth'],
    [403, 'insufficient_scope', 'auth'],
    [400, '', 'permanent'],
    [400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'permanent'],
  ])('%s %s → %s', (status, code, kind) => {
    expect(classifyBitrix24Error(status, code, 'x').kind).toBe(kind);
  });

  it('names validation errors and keeps the description', () => {
    const e = classifyBitrix24Error(400, '', 'Invalid value for the "Currency" field');
    expect(e.code).toBe('VALIDATION');
    expect(e.message).toContain('Currency');
  });
});

describe('batch commands', () => {
  it('encode nested params the PHP way', () => {
    expect(
      batchCommand('crm.deal.update', { id: 5, fields: { STAGE_ID: 'C1:WON', OPPORTUNITY: 125 } }),
    ).toBe('crm.deal.update?id=5&fields%5BSTAGE_ID%5D=C1%3AWON&fields%5BOPPORTUNITY%5D=125');
    expect(batchCommand('profile', {})).toBe('profile');
  });
});
