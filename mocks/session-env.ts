import { defaultSessionConfig, parseDuration, type SessionConfig } from '../server/config';

/** The Vite variables that set the mock server's limits in mock mode, and the server variable each mirrors. */
const variables = {
  VITE_IDLE_TIMEOUT: 'idleTimeoutMs',
  VITE_IDLE_WARNING: 'warningMs',
  VITE_ABSOLUTE_TIMEOUT: 'absoluteTimeoutMs',
} as const satisfies Record<string, keyof SessionConfig>;

/**
 * The mock's session limits from `import.meta.env`: `VITE_IDLE_TIMEOUT`, `VITE_IDLE_WARNING`,
 * `VITE_ABSOLUTE_TIMEOUT`, as durations like the server's (`90s`, `15m`, `8h` or milliseconds).
 * Unset ones keep the server's defaults (60 s, 30 s, 8 h). A malformed value or a warning not
 * shorter than the timeout throws an error naming the variable.
 */
export function sessionConfigFromEnv(env: Record<string, unknown>): Partial<SessionConfig> {
  const session: Partial<SessionConfig> = {};
  for (const [variable, key] of Object.entries(variables)) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    const value = typeof raw === 'string' ? parseDuration(raw) : undefined;
    if (value === undefined) {
      throw new Error(`${variable}: "${String(raw)}" is not a duration; use e.g. 90s, 15m, 8h or milliseconds`);
    }
    session[key] = value;
  }
  const merged = { ...defaultSessionConfig, ...session };
  if (merged.warningMs >= merged.idleTimeoutMs) {
    throw new Error(
      `VITE_IDLE_WARNING: must be shorter than VITE_IDLE_TIMEOUT (${merged.warningMs} ms >= ${merged.idleTimeoutMs} ms)`,
    );
  }
  if (merged.idleTimeoutMs > merged.absoluteTimeoutMs) {
    throw new Error(`VITE_ABSOLUTE_TIMEOUT: must not be shorter than VITE_IDLE_TIMEOUT`);
  }
  return session;
}
