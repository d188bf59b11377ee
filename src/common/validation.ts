import { UnprocessableEntityException } from '@nestjs/common';
import { ValidateIf, ValidationError } from 'class-validator';

/**
 * Absent is allowed; `null` is not a way to say absent. Unlike `IsOptional` (which skips `null`
 * too, letting it reach services and NOT NULL columns) a null is checked by the property's rules.
 */
export const Optional = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);

function named(message: string, path: string, property: string): string {
  if (message.startsWith(path)) return message;
  if (message.startsWith(`${property} `)) return `${path}${message.slice(property.length)}`;
  return `${path}: ${message}`;
}

/** Every failed rule as one message starting with the field's full path (`customer.phone …`). */
export function validationMessages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    // Constraints are listed bottom decorator first; the source order reads better.
    const own = Object.values(e.constraints ?? {})
      .reverse()
      .map((m) => named(m, path, e.property));
    return [...own, ...validationMessages(e.children ?? [], path)];
  });
}

export const validationException = (errors: ValidationError[]) =>
  new UnprocessableEntityException(validationMessages(errors));
