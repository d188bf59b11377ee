/** What the emulators' command-line entries share: env parsing and running until a signal. */

/** A trimmed variable; empty counts as unset. */
export function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A non-negative integer variable, or `fallback` when unset. */
export function integer<T extends number | undefined>(name: string, fallback: T): number | T {
  const value = env(name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`${name} must be an integer`);
  return parsed;
}

/**
 * Starts an emulator, prints its banner, and closes it on SIGINT/SIGTERM; a failure to start
 * is printed and exits 1.
 */
export function runEmulator(
  name: string,
  start: () => Promise<{ emulator: { close(): Promise<void> }; banner: string[] }>,
): void {
  start()
    .then(({ emulator, banner }) => {
      process.stdout.write([...banner, ''].join('\n'));
      const stop = (): void => {
        void emulator.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${name} emulator failed to start: ${String(error)}\n`);
      process.exit(1);
    });
}
