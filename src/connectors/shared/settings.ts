import { ClassConstructor, plainToInstance } from 'class-transformer';
import { IsInt, Max, Min, validateSync, ValidationError } from 'class-validator';
import type { RateLimitRule } from '../crm-connector';

export function settingsProblems(errors: ValidationError[], path = 'settings'): string[] {
  return errors.flatMap((e) => {
    const here = `${path}.${e.property}`;
    const own = e.constraints ? [`${here}: ${Object.values(e.constraints).join('; ')}`] : [];
    return [...own, ...settingsProblems(e.children ?? [], here)];
  });
}

export function parseSettings<T extends object>(
  type: ClassConstructor<T>,
  raw: unknown,
  crossField?: (settings: T) => string[],
): T {
  const settings = plainToInstance(type, raw ?? {});
  const problems = settingsProblems(
    validateSync(settings, { whitelist: true, forbidNonWhitelisted: true }),
  );
  if (problems.length === 0 && crossField) problems.push(...crossField(settings));
  if (problems.length) throw new Error(problems.join('; '));
  return settings;
}

export function rateLimitSettings(max: RateLimitRule & { minRefill: number }) {
  class RateLimitSettings implements RateLimitRule {
    @IsInt()
    @Min(1)
    @Max(max.capacity)
    capacity: number;

    @Min(max.minRefill)
    @Max(max.refillPerSecond)
    refillPerSecond: number;
  }
  return RateLimitSettings;
}
