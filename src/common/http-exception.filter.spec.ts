import { UnprocessableEntityException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { toErrorBody } from './http-exception.filter';

const pgError = (code: string) =>
  new QueryFailedError('SELECT 1', [], Object.assign(new Error('pg'), { code }));

describe('error bodies', () => {
  it.each(['22P02', '22021', '22003', '22P05', '22001'])(
    'a PostgreSQL data exception (%s) is the input’s fault: 422 with an error id, not 500',
    (code) => {
      const body = toErrorBody(pgError(code), 'r-1');
      expect(body).toMatchObject({ statusCode: 422, requestId: 'r-1' });
      expect(body.message).toContain(`SQLSTATE ${code}`);
      expect(body.errorId).toEqual(expect.any(String));
    },
  );

  it('other database failures stay 500 with an error id', () => {
    expect(toErrorBody(pgError('40P01'), 'r').statusCode).toBe(500);
    expect(toErrorBody(new Error('boom'), 'r')).toMatchObject({
      statusCode: 500,
      errorId: expect.any(String),
    });
  });

  it('validation messages are joined and keep their field names', () => {
    const body = toErrorBody(new UnprocessableEntityException(['a must be x', 'b: y']), 'r');
    expect(body).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: 'a must be x; b: y',
      requestId: 'r',
    });
  });
});
