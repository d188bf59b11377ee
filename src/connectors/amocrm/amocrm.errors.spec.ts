import {
  ACCOUNT_BLOCK_RETRY_MS,
  AmocrmValidationError,
  classifyAmocrmError,
} from './amocrm.errors';

const nginx = (status: number) =>
  `<html>\r\n<head><title>${status}</title></head>\r\n<body><center>nginx</center></body></html>`;
const revoked = {
  hint: 'Token has been revoked',
  title: 'Некорректный запрос',
  type: 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson',
  status: 401,
  detail: 'В запросе отсутствует ряд параметров или параметры невалидны',
};
const unauthorized = {
  title: 'Unauthorized',
  type: 'https://httpstatus.es/401',
  status: 401,
  detail: 'Неверный логин или пароль',
};

describe('amoCRM error classes', () => {
  it.each([
    [429, nginx(429), 'retryable', 'RATE_LIMITED'],
    [500, { title: 'Internal Server Error', status: 500 }, 'retryable', 'HTTP_500'],
    [502, nginx(502), 'retryable', 'HTTP_502'],
    [504, '', 'retryable', 'HTTP_504'],
    [401, unauthorized, 'auth', 'UNAUTHORIZED'],
    [401, revoked, 'auth', 'TOKEN_REVOKED'],
    [403, { ...revoked, status: 403 }, 'auth', 'TOKEN_REVOKED'],
    [403, { error: 'invalid_grant' }, 'auth', 'TOKEN_REVOKED'],
    [403, nginx(403), 'retryable', 'ACCOUNT_BLOCKED'],
    [403, { title: 'Forbidden', detail: 'Access denied' }, 'permanent', 'ACCESS_DENIED'],
    [402, { title: 'Payment Required' }, 'retryable', 'PAYMENT_REQUIRED'],
    [404, { title: 'Not Found', detail: 'Lead not found' }, 'permanent', 'NOT_FOUND'],
    [400, { title: 'Bad Request', detail: 'Too many entities' }, 'permanent', 'HTTP_400'],
  ])('%s %j → %s %s', (status, body, kind, code) => {
    const e = classifyAmocrmError(status, body);
    expect([e.kind, e.code, e.httpStatus]).toEqual([kind, code, status]);
  });

  it('a blocked account retries much later; Retry-After wins when given', () => {
    expect(classifyAmocrmError(403, nginx(403)).retryAfterMs).toBe(ACCOUNT_BLOCK_RETRY_MS);
    expect(classifyAmocrmError(429, nginx(429), '3').retryAfterMs).toBe(3000);
    expect(classifyAmocrmError(429, nginx(429)).retryAfterMs).toBe(1000);
    expect(classifyAmocrmError(503, '', '7').retryAfterMs).toBe(7000);
  });

  it('reads a problem body that arrived as text, and keeps its words', () => {
    const e = classifyAmocrmError(401, JSON.stringify(revoked));
    expect(e.code).toBe('TOKEN_REVOKED');
    expect(e.message).toContain('Token has been revoked');
  });

  it('names each refused item of a validation-errors answer', () => {
    const e = classifyAmocrmError(400, {
      'validation-errors': [
        {
          request_id: '1',
          errors: [
            {
              code: 'NotSupportedChoice',
              path: 'custom_fields_values.0.field_id',
              detail: 'The value you selected is not a valid choice.',
            },
          ],
        },
      ],
      title: 'Bad Request',
      type: 'https://httpstatus.es/400',
      status: 400,
      detail: 'Request validation failed',
    });
    expect(e).toBeInstanceOf(AmocrmValidationError);
    expect(e.kind).toBe('permanent');
    expect((e as AmocrmValidationError).items).toEqual([
      {
        requestId: '1',
        messages: [
          'custom_fields_values.0.field_id: The value you selected is not a valid choice.',
        ],
      },
    ]);
    expect(e.message).toContain('request 1: custom_fields_values.0.field_id');
  });
});
