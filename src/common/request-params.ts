import { createParamDecorator, ExecutionContext, ParseUUIDPipe } from '@nestjs/common';
import type { Request } from 'express';

/** Ids in paths are UUIDs; anything else is 422 naming the parameter. */
export const UUID_PARAM = new ParseUUIDPipe({ errorHttpStatusCode: 422 });

/** Who acts, for the audit trail: the `X-Actor` header (a console sends the manager's name). */
export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const value = ctx.switchToHttp().getRequest<Request>().headers['x-actor'];
  return typeof value === 'string' && /^[\p{L}\p{N} ._@-]{1,64}$/u.test(value) ? value : 'admin';
});
