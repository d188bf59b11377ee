import {
  ArgumentMetadata,
  createParamDecorator,
  ExecutionContext,
  PipeTransform,
  UnprocessableEntityException,
} from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { Request } from 'express';

class UuidParamPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && isUUID(value)) return value;
    throw new UnprocessableEntityException(`${metadata.data ?? 'id'}: must be a UUID`);
  }
}

export const UUID_PARAM = new UuidParamPipe();

export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const value = ctx.switchToHttp().getRequest<Request>().headers['x-actor'];
  return typeof value === 'string' && /^[\p{L}\p{N} ._@-]{1,64}$/u.test(value) ? value : 'admin';
});
