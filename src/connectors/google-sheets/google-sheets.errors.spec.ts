import { classifySheetsError } from './google-sheets.errors';

const gaxios = (status: number, error?: Record<string, unknown>) => ({
  message: `Request failed with status code ${status}`,
  response: { status, data: error ? { error } : '<html>502</html>' },
});

describe('classifySheetsError', () => {
  it('429 RESOURCE_EXHAUSTED retries after the quota minute, with the reason', () => {
    const e = classifySheetsError(
      gaxios(429, {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: "Quota exceeded for quota metric 'Write requests'",
        details: [{ reason: 'RATE_LIMIT_EXCEEDED' }],
      }),
    );
    expect([e.kind, e.code, e.httpStatus, e.retryAfterMs]).toEqual([
      'retryable',
      'RATE_LIMIT_EXCEEDED',
      429,
      30000,
    ]);
    expect(e.message).toContain('Write requests');
  });

  it('5xx, an HTML 502 and no answer retry; 401 is auth; 400/403/404 are permanent', () => {
    expect(classifySheetsError(gaxios(503, { status: 'UNAVAILABLE' })).kind).toBe('retryable');
    expect(classifySheetsError(gaxios(502)).kind).toBe('retryable');
    expect(classifySheetsError({ message: 'fetch failed', code: 'ECONNRESET' })).toMatchObject({
      kind: 'retryable',
      code: 'ECONNRESET',
    });
    expect(classifySheetsError(gaxios(401, { status: 'UNAUTHENTICATED' })).kind).toBe('auth');
    const denied = classifySheetsError(
      gaxios(403, { status: 'PERMISSION_DENIED', message: 'The caller does not have permission' }),
    );
    expect([denied.kind, denied.code]).toEqual(['permanent', 'PERMISSION_DENIED']);
    expect(denied.message).toContain('does not have permission');
    expect(classifySheetsError(gaxios(404, { status: 'NOT_FOUND' })).kind).toBe('permanent');
    expect(classifySheetsError(gaxios(400, { status: 'INVALID_ARGUMENT' })).kind).toBe('permanent');
  });
});
