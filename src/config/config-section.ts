/** What a feature adds to the environment contract; config knows sections, not features. */
export interface ConfigSection<S extends object = object, T = unknown> {
  /** Where the typed value lands: `AppConfig.crm[key]`. */
  key: string;
  /** A class-validator class whose properties are the section's variable names. */
  schema: new () => S;
  /** Maps the validated variables into the typed value; cross-field problems are pushed. */
  load(env: S, problems: string[]): T;
}

export const trim = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;
export const URL_OPTS = { require_tld: false, require_protocol: true };

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
