import { ClassConstructor, plainToInstance } from 'class-transformer';
import { IsInt, Max, Min, validateSync, ValidationError } from 'class-validator';
import type { RateLimitRule } from '../crm-connector';

/** `settings.a.b: why` for every failed constraint, nested ones included. */
export function settingsProblems(errors: ValidationError[], path = 'settings'): string[] {
  return errors.flatMap((e) => {
    const here = `${path}.${e.property}`;
    const own = e.constraints ? [`${here}: ${Object.values(e.constraints).join('; ')}`] : [];
    return [...own, ...settingsProblems(e.children ?? [], here)];
  });
}

/**
 * A connection's settings as `type`, unknown fields refused; throws an Error whose message names
 * each bad field. `crossField` runs only once every field is valid on its own.
 */
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

/** The `rateLimit` settings class, bounded by what the destination can take. */
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
