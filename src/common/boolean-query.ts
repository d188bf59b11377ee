import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';

const parse = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

// Exactly `true` or `false`; anything else is a 422 naming the parameter, never a silent default.
export const BooleanQuery = (description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: Boolean, description }),
    IsOptional(),
    Transform(parse),
    IsBoolean({ message: ({ property }) => `${property} must be true or false` }),
  );
