/**
 * Reading one environment variable: the error that names it, and durations. config.ts and
 * operations-config.ts (the two halves of the server's settings) both read through here.
 */

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `90s`, `15m`, `8h`, `250ms` or plain milliseconds (`60000`). Returns undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,10})(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]) * durationUnits[match[2] ?? 'ms'];
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** The duration in `env[name]`, or undefined when unset or empty; throws a ConfigError when malformed. */
export function readDuration(env: Record<string, unknown>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = typeof raw === 'string' ? parseDuration(raw) : undefined;
  if (value === undefined) {
    throw new ConfigError(name, `"${String(raw)}" is not a duration; use e.g. 90s, 15m, 8h or milliseconds`);
  }
  return value;
}
