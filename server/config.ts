/**
 * Server configuration, parsed and validated once at start.
 * A bad value throws a `ConfigError` naming the variable; `main.ts` prints it and exits.
 */
import { originProblem } from './http/origin';
import { ConfigError, readDuration } from './config-values';
import { readOperationsConfig, type OperationsConfig } from './operations-config';
import { defaultSessionConfig, type SessionConfig } from './session/policy';
import type { StoreKind } from './stores/open-store';

export interface ServerConfig {
  port: number;
  host: string;
  session: SessionConfig;
  store: StoreKind;
  databasePath: string;
  redisUrl: string | undefined;
  /** REDIS_CLUSTER: REDIS_URL is a seed node of a Redis Cluster (decision 025). */
  redisCluster: boolean;
  /** Folder of the built SPA; unset serves only the API. */
  staticDir: string | undefined;
  /** Believe `X-Forwarded-For`, `-Host` and `-Proto` (only behind a proxy you run). */
  trustProxy: boolean;
  /** PUBLIC_ORIGIN: the origins the app is served at; undefined: the ones it listens on (http/origin.ts). */
  publicOrigins: string[] | undefined;
  /**
   * FRAME_ORIGINS: other origins whose pages the app may show in an iframe and whose
   * `postMessage` activity reports it believes (issue 23); none by default.
   */
  frameOrigins: string[];
  /** Slow clients: the whole header block must arrive within this, in ms. */
  headersTimeoutMs: number;
  /** Slow clients: the whole request (headers and body) must arrive within this, in ms. */
  requestTimeoutMs: number;
  /** Open connections at most; more are refused at once. */
  maxConnections: number;
  /**
   * Open connections one client (address, IPv6 by /64) may hold; more are closed at once.
   * Not applied with `trustProxy`: every connection is then the proxy's, which limits clients itself.
   */
  maxConnectionsPerClient: number;
  /** METRICS_PORT, METRICS_HOST, SHUTDOWN_DRAIN (operations-config.ts). */
  operations: OperationsConfig;
}

/** WCAG 2.2.6: data kept for more than 20 hours needs no warning about inactivity losing it. */
export const wcagMinimumDraftRetentionMs = 20 * 60 * 60_000;

/** WCAG 2.2.1 asks for at least 20 s to answer a timeout warning. */
export const wcagMinimumWarningMs = 20_000;

type Env = Record<string, string | undefined>;

/** The timing fields of the session config, which the environment sets as durations. */
export type SessionTimingKey = 'idleTimeoutMs' | 'warningMs' | 'absoluteTimeoutMs';

/** The variable that sets each timing. Mock mode names them otherwise (mocks/session-env.ts). */
export type SessionTimingVariables = Record<SessionTimingKey, string>;

export const sessionTimingVariables: SessionTimingVariables = {
  idleTimeoutMs: 'IDLE_TIMEOUT',
  warningMs: 'IDLE_WARNING',
  absoluteTimeoutMs: 'ABSOLUTE_TIMEOUT',
};

/**
 * The timings that `env` sets, by `variables` (the server's names by default); unset ones are
 * left out. A malformed value throws a ConfigError naming its variable.
 */
export function readSessionTimings(
  env: Record<string, unknown>,
  variables: SessionTimingVariables = sessionTimingVariables,
): Partial<Pick<SessionConfig, SessionTimingKey>> {
  const timings: Partial<Pick<SessionConfig, SessionTimingKey>> = {};
  for (const key of Object.keys(variables) as SessionTimingKey[]) {
    const value = readDuration(env, variables[key]);
    if (value !== undefined) timings[key] = value;
  }
  return timings;
}

function readChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `"${raw}" is not one of ${choices.join(', ')}`);
  }
  return raw as T;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `"${raw}" is not a boolean; use true or false`);
}

function readPositiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d{1,9}$/.test(raw) || value < 1) throw new ConfigError(name, `"${raw}" is not a whole number of at least 1`);
  return value;
}

function readPort(env: Env): number {
  const raw = env.PORT;
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new ConfigError('PORT', `"${raw}" is not a port number (0-65535)`);
  }
  return port;
}

/**
 * Checks the relations between the timing values; throws a ConfigError naming the variable, by
 * `variables` (the server's names by default).
 */
export function validateSessionConfig(
  session: SessionConfig,
  variables: SessionTimingVariables = sessionTimingVariables,
): void {
  if (session.warningMs >= session.idleTimeoutMs) {
    throw new ConfigError(
      variables.warningMs,
      `must be shorter than ${variables.idleTimeoutMs} (${session.warningMs} ms >= ${session.idleTimeoutMs} ms)`,
    );
  }
  if (session.idleTimeoutMs > session.absoluteTimeoutMs) {
    throw new ConfigError(variables.absoluteTimeoutMs, `must not be shorter than ${variables.idleTimeoutMs}`);
  }
}

/** PUBLIC_ORIGIN: one origin or several, comma-separated; each `http(s)://host[:port]`. */
function readPublicOrigins(env: Env): string[] | undefined {
  return readOrigins(env, 'PUBLIC_ORIGIN');
}

/** A comma-separated list of origins in `env[name]`, in their serialised form; undefined when unset. */
function readOrigins(env: Env, name: string): string[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.split(',').map((entry) => {
    const problem = originProblem(entry.trim());
    if (problem) throw new ConfigError(name, `${problem}; use e.g. https://app.example.com`);
    return new URL(entry.trim()).origin;
  });
}

function readCount(env: Env, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) {
    throw new ConfigError(name, `"${raw}" is not a whole number from 1 to ${max}`);
  }
  return value;
}

/** Slow-client limits (main.ts): header and request timeouts and a connection cap. */
function readConnectionLimits(
  env: Env,
): Pick<ServerConfig, 'headersTimeoutMs' | 'requestTimeoutMs' | 'maxConnections' | 'maxConnectionsPerClient'> {
  const limits = {
    headersTimeoutMs: readDuration(env, 'HEADERS_TIMEOUT') ?? defaultConnectionLimits.headersTimeoutMs,
    requestTimeoutMs: readDuration(env, 'REQUEST_TIMEOUT') ?? defaultConnectionLimits.requestTimeoutMs,
    maxConnections: readCount(env, 'MAX_CONNECTIONS', defaultConnectionLimits.maxConnections, 1_000_000),
    maxConnectionsPerClient: readCount(
      env,
      'MAX_CONNECTIONS_PER_CLIENT',
      defaultConnectionLimits.maxConnectionsPerClient,
      1_000_000,
    ),
  };
  // Node refuses a header timeout longer than the request timeout (the headers are part of it).
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError(
      'HEADERS_TIMEOUT',
      `must not be longer than REQUEST_TIMEOUT (${limits.headersTimeoutMs} ms > ${limits.requestTimeoutMs} ms)`,
    );
  }
  return limits;
}

/**
 * About 10 s for the headers and 15 s for the whole request: a slow client is cut off soon; and
 * no one client may hold more than a twentieth of the connections.
 */
export const defaultConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  maxConnections: 1_000,
  maxConnectionsPerClient: 50,
};

/** Parses the environment. Returns the config and the warnings to print at start. */
export function parseConfig(env: Env): { config: ServerConfig; warnings: string[] } {
  const session: SessionConfig = { ...defaultSessionConfig, ...readSessionTimings(env) };
  session.draftRetentionMs = readDuration(env, 'DRAFT_RETENTION') ?? defaultSessionConfig.draftRetentionMs;
  const secure = env.COOKIE_SECURE;
  session.cookieSecure =
    secure === undefined || secure === '' || secure === 'auto'
      ? 'auto'
      : readBoolean(env, 'COOKIE_SECURE', false)
        ? 'always'
        : 'never';
  session.maxSessionsPerUser = readPositiveInteger(env, 'MAX_SESSIONS_PER_USER', session.maxSessionsPerUser);
  session.maxConsecutiveFailures = readCount(env, 'LOGIN_LOCK_FAILURES', session.maxConsecutiveFailures, 1_000_000);
  session.lockoutMs = readDuration(env, 'LOGIN_LOCK_DURATION') ?? session.lockoutMs;
  session.reauthWindowMs = readDuration(env, 'REAUTH_WINDOW') ?? session.reauthWindowMs;
  session.maxHoldMs = readDuration(env, 'MAX_HOLD') ?? session.maxHoldMs;
  validateSessionConfig(session);

  const store = readChoice(env, 'SESSION_STORE', ['sqlite', 'redis', 'memory'] as const, 'sqlite');
  const redisUrl = env.REDIS_URL || undefined;
  if (store === 'redis' && !redisUrl) {
    throw new ConfigError('REDIS_URL', 'is required when SESSION_STORE=redis');
  }

  const warnings: string[] = [];
  if (session.warningMs < wcagMinimumWarningMs) {
    warnings.push(
      `IDLE_WARNING is ${session.warningMs} ms: under the 20 s that WCAG 2.2.1 asks for; fine for tests and demos only`,
    );
  }
  if (session.draftRetentionMs < wcagMinimumDraftRetentionMs) {
    warnings.push(
      `DRAFT_RETENTION is ${session.draftRetentionMs} ms: under the 20 hours after which WCAG 2.2.6 needs no warning that inactivity loses data`,
    );
  }

  const port = readPort(env);
  return {
    config: {
      port,
      host: env.HOST || '127.0.0.1',
      session,
      store,
      databasePath: env.DATABASE_PATH || './data/sessions.db',
      redisUrl,
      redisCluster: readBoolean(env, 'REDIS_CLUSTER', false),
      staticDir: env.STATIC_DIR === undefined ? './dist' : env.STATIC_DIR || undefined,
      trustProxy: readBoolean(env, 'TRUST_PROXY', false),
      publicOrigins: readPublicOrigins(env),
      frameOrigins: readOrigins(env, 'FRAME_ORIGINS') ?? [],
      ...readConnectionLimits(env),
      operations: readOperationsConfig(env, port),
    },
    warnings,
  };
}
