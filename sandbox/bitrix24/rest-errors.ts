/** Bitrix24 error envelope `{ error, error_description }` and the codes the emulator answers with. */

export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
  ) {
    super(`${code || '(empty)'}: ${description}`);
  }

  body(): { error: string; error_description: string } {
    return { error: this.code, error_description: this.description };
  }
}

/** Method-level validation: HTTP 400 with an empty `error` (A3). */
export function validationError(description: string): RestError {
  return new RestError(400, '', description);
}

export const noAuthFound = (): RestError =>
  new RestError(401, 'NO_AUTH_FOUND', 'Wrong authorization data');

export const invalidToken = (): RestError =>
  new RestError(401, 'invalid_token', 'The access token provided is invalid.');

export const expiredToken = (): RestError =>
  new RestError(401, 'expired_token', 'The access token provided has expired.');

export const queryLimitExceeded = (): RestError =>
  new RestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');

export const methodNotFound = (): RestError =>
  new RestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');

export const insufficientScope = (): RestError =>
  new RestError(
    403,
    'insufficient_scope',
    'The request requires higher privileges than provided by the access token',
  );

export const wrongAuthType = (): RestError =>
  new RestError(401, 'WRONG_AUTH_TYPE', 'Current authorization type is denied for this method');

export const batchMethodNotAllowed = (): RestError =>
  new RestError(405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage');

export const batchLengthExceeded = (): RestError =>
  new RestError(400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded');
