import { UnprocessableEntityException } from '@nestjs/common';
import { ValidateIf, ValidationError } from 'class-validator';

// Unlike IsOptional, null is not "absent": the rules check it, so it never reaches NOT NULL columns.
export const Optional = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);

function named(message: string, path: string, property: string): string {
  if (message.startsWith(path)) return message;
  if (message.startsWith(`${property} `)) return `${path}${message.slice(property.length)}`;
  return `${path}: ${message}`;
}

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
