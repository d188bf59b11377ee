import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  requestId: string;
  errorId?: string;
}

export function requestIdOf(req: Request): string {
  const id = (req as Request & { id?: unknown }).id;
  return typeof id === 'string' ? id : typeof id === 'number' ? String(id) : '';
}

function messageOf(exception: HttpException): string {
  const res = exception.getResponse();
  if (typeof res === 'string') return res;
  const msg = (res as { message?: unknown }).message;
  if (Array.isArray(msg)) return msg.join('; ');
  return typeof msg === 'string' ? msg : exception.message;
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const body = toErrorBody(exception, requestIdOf(req));
    if (body.errorId) {
      const entry = { err: exception, errorId: body.errorId, requestId: body.requestId };
      if (body.statusCode >= 500) this.logger.error(entry, 'unexpected error');
      else this.logger.warn(entry, 'input refused by the database; validation missed it');
    }
    res.status(body.statusCode).json(body);
  }
}

/** SQLSTATE class 22 (data exception: bad syntax, NUL, out of range, too long): the input's fault. */
function databaseDataError(exception: unknown): string | undefined {
  if (!(exception instanceof QueryFailedError)) return undefined;
  const code = (exception.driverError as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('22') ? code : undefined;
}

export function toErrorBody(exception: unknown, requestId: string): ErrorBody {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    return {
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      message: messageOf(exception),
      requestId,
    };
  }
  const status = (exception as { status?: unknown; type?: unknown })?.status;
  // body-parser errors carry their own status (413 too large, 400 bad encoding).
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = (exception as { type?: string }).type;
    return {
      statusCode: status,
      error: STATUS_CODES[status] ?? 'Error',
      message:
        type === 'entity.too.large'
          ? 'body: exceeds the size limit for this route'
          : `body: ${(exception as Error).message}`,
      requestId,
    };
  }
  const sqlState = databaseDataError(exception);
  if (sqlState) {
    return {
      statusCode: HttpStatus.UNPROCESSABLE_ENTITY,
      error: STATUS_CODES[HttpStatus.UNPROCESSABLE_ENTITY]!,
      message: `input: a value was refused by the database (SQLSTATE ${sqlState}); quote the errorId when reporting it`,
      requestId,
      errorId: randomUUID(),
    };
  }
  return {
    statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
    error: 'Internal Server Error',
    message: 'internal error; quote the errorId when reporting it',
    requestId,
    errorId: randomUUID(),
  };
}
