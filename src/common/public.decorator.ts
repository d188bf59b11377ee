import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC = 'vposhub:public';
/** Read (and removed) when the OpenAPI document is built: such operations need no bearer token. */
export const OPENAPI_PUBLIC = 'x-vposhub-public';

export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(OPENAPI_PUBLIC, true));
