import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC = 'vposhub:public';
/** Read (and removed) when the OpenAPI document is built: such operations need no bearer token. */
export const OPENAPI_PUBLIC = 'x-vposhub-public';

/**
 * Opens a controller or handler to callers without the admin token. Everything else is
 * refused by AdminAuthGuard, so a route is private unless it says otherwise here.
 */
export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(OPENAPI_PUBLIC, true));
