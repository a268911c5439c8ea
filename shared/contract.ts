/**
 * The wire contract between the SPA and the server: paths, bodies and error codes.
 *
 * The server imports the runtime values; the SPA imports this module with `import type`
 * only, so nothing from here ends up in the browser bundle.
 */

export const apiPaths = {
  session: '/api/session',
  heartbeat: '/api/session/heartbeat',
  policy: '/api/session/policy',
  hello: '/api/hello',
  health: '/api/health',
} as const;

export type ApiPath = (typeof apiPaths)[keyof typeof apiPaths];

/** Largest accepted request body on `/api/*`, in bytes. */
export const maxBodyBytes = 4 * 1024;

/** Session timing, always as durations relative to the moment the server answered. */
export interface SessionTiming {
  /** Inactivity that ends the session, in ms. */
  idleTimeoutMs: number;
  /** How long before the idle deadline the warning opens, in ms. */
  warningMs: number;
  /** Time left until the idle deadline, in ms (0 when it has passed). */
  idleExpiresInMs: number;
  /** Time left until the absolute limit, which nothing extends, in ms. */
  absoluteExpiresInMs: number;
  /** How often an active client reports activity, in ms. */
  heartbeatIntervalMs: number;
}

export interface User {
  username: string;
}

/** `POST /api/session` body. */
export interface SignInRequest {
  username: string;
  password: string;
}

/** `POST /api/session` (201) and `GET /api/session` (200). */
export interface SessionResponse {
  user: User;
  session: SessionTiming;
}

/** `POST /api/session/heartbeat` body. Every field is optional; an empty body is `{}`. */
export interface HeartbeatRequest {
  /** How long ago the user was last active, in ms; the server clamps it to `[0, heartbeatIntervalMs]`. */
  idleForMs?: number;
}

/** `POST /api/session/heartbeat` (200). */
export interface HeartbeatResponse {
  session: SessionTiming;
}

/**
 * `GET /api/session/policy` (200, public): the limits, so a page can tell people how long
 * inactivity may last before they sign in (WCAG 2.2.6).
 */
export interface SessionPolicy {
  idleTimeoutMs: number;
  warningMs: number;
  absoluteTimeoutMs: number;
}

/** `GET /api/hello` (200). */
export interface HelloResponse {
  message: string;
}

/** `GET /api/health` (200 or 503). */
export interface HealthResponse {
  status: 'ok' | 'unavailable';
}

export const errorCodes = [
  'bad_request',
  'invalid_credentials',
  'unauthenticated',
  'cross_site_request',
  'misdirected_request',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'internal_error',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** Every error response has this body. */
export interface ApiError {
  error: ErrorCode;
  /** A sentence a person can read. */
  message: string;
  /** For `bad_request`: the body field at fault, when there is one. */
  field?: string;
  /** For `rate_limited`: seconds until a new attempt is accepted (also in `Retry-After`). */
  retryAfterSeconds?: number;
}
