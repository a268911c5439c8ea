import {
  defaultSessionConfig,
  readSessionTimings,
  validateSessionConfig,
  type SessionConfig,
  type SessionTimingVariables,
} from '../server/config';

/** The Vite variables that set the mock server's limits in mock mode, in place of the server's. */
const viteVariables: SessionTimingVariables = {
  idleTimeoutMs: 'VITE_IDLE_TIMEOUT',
  warningMs: 'VITE_IDLE_WARNING',
  absoluteTimeoutMs: 'VITE_ABSOLUTE_TIMEOUT',
};

/**
 * The mock's session limits from `import.meta.env`: `VITE_IDLE_TIMEOUT`, `VITE_IDLE_WARNING`,
 * `VITE_ABSOLUTE_TIMEOUT`, read and checked by the server's own rules (`90s`, `15m`, `8h` or
 * milliseconds). Unset ones keep the server's defaults (60 s, 30 s, 8 h). A malformed value or a
 * warning not shorter than the timeout throws a ConfigError naming the variable.
 */
export function sessionConfigFromEnv(env: Record<string, unknown>): Partial<SessionConfig> {
  const session = readSessionTimings(env, viteVariables);
  validateSessionConfig({ ...defaultSessionConfig, ...session }, viteVariables);
  return session;
}
