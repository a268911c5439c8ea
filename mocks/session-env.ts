import { readSessionTimings, validateSessionConfig, type SessionTimingVariables } from '../server/config';
import { readDuration } from '../server/config-values';
import { defaultSessionConfig, type SessionConfig } from '../server/session/policy';

/** The Vite variables that set the mock server's limits in mock mode, in place of the server's. */
const viteVariables: SessionTimingVariables = {
  idleTimeoutMs: 'VITE_IDLE_TIMEOUT',
  warningMs: 'VITE_IDLE_WARNING',
  absoluteTimeoutMs: 'VITE_ABSOLUTE_TIMEOUT',
};

/**
 * The mock's session limits from `import.meta.env`: `VITE_IDLE_TIMEOUT`, `VITE_IDLE_WARNING`,
 * `VITE_ABSOLUTE_TIMEOUT` and `VITE_DRAFT_RETENTION`, read and checked by the server's own rules
 * (`90s`, `15m`, `8h` or milliseconds). Unset ones keep the server's defaults (60 s, 30 s, 8 h,
 * 24 h). A malformed value or a warning not shorter than the timeout throws a ConfigError naming
 * the variable. A short draft retention is taken as it is, for trying out a draft that expires.
 */
export function sessionConfigFromEnv(env: Record<string, unknown>): Partial<SessionConfig> {
  const session: Partial<SessionConfig> = readSessionTimings(env, viteVariables);
  validateSessionConfig({ ...defaultSessionConfig, ...session }, viteVariables);
  const draftRetentionMs = readDuration(env, 'VITE_DRAFT_RETENTION');
  if (draftRetentionMs !== undefined) session.draftRetentionMs = draftRetentionMs;
  return session;
}
