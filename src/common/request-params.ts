import {
  ArgumentMetadata,
  createParamDecorator,
  ExecutionContext,
  PipeTransform,
  UnprocessableEntityException,
} from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { Request } from 'express';
import { operatorOf } from './session-auth';

class UuidParamPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && isUUID(value)) return value;
    throw new UnprocessableEntityException(`${metadata.data ?? 'id'}: must be a UUID`);
  }
}

export const UUID_PARAM = new UuidParamPipe();

// Who acts, for the audit trail: the signed-in operator's name, else the `X-Actor` header.
export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const operator = operatorOf(req);
  if (operator) return operator.name;
  const value = req.headers['x-actor'];
  return typeof value === 'string' && /^[\p{L}\p{N} ._@-]{1,64}$/u.test(value) ? value : 'admin';
});
