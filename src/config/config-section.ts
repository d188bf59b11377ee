import type { EnvSchema } from './env.schema';
import { trim, URL_OPTS } from './env-transforms';

export { trim, URL_OPTS };

export interface ConfigSection<S extends object = object, T = unknown> {
  /** Where the typed value lands: `AppConfig.crm[key]`, or `AppConfig[key]` when `root`. */
  key: string;
  root?: boolean;
  schema: new () => S;
  load(env: S, problems: string[], hub: Readonly<EnvSchema>): T;
}

export function parseJsonObjectVar(
  name: string,
  raw: string | undefined,
  problems: string[],
): Record<string, unknown> {
  if (!raw) return {};
  try {
    const value: unknown = JSON.parse(raw);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // reported below
  }
  problems.push(`${name} must be a JSON object`);
  return {};
}

/** An OAuth app is optional, but half of one is a mistake. */
export function requireSecretWithId(
  prefix: string,
  id: string | undefined,
  secret: string | undefined,
  problems: string[],
): void {
  if (id && !secret) {
    problems.push(`${prefix}_CLIENT_SECRET is required when ${prefix}_CLIENT_ID is set`);
  }
}
