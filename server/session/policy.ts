/**
 * The session policy: every limit the session rules (session/, notes/) work under, and its
 * defaults. config.ts reads the environment into it at start; the rules take it as data and never
 * read the environment or import config.ts (eslint.config.js, server zones).
 */

/** `auto`: `__Host-` + `Secure` when the request came over https. */
export type CookieSecure = 'auto' | 'always' | 'never';

export interface SessionConfig {
  /** Inactivity that ends a session, in ms. */
  idleTimeoutMs: number;
  /** How long the warning shows before the idle deadline, in ms. */
  warningMs: number;
  /** Hard cap from sign-in, in ms; nothing extends it. */
  absoluteTimeoutMs: number;
  /** `auto`: `__Host-` + `Secure` when the request came over https. */
  cookieSecure: CookieSecure;
  // Sign-in throttling (session/throttle.ts, docs/decisions/017-login-throttling-and-origin.md).
  /** Failed sign-ins per (username, client address) within `loginWindowMs` before 429. */
  maxFailuresPerUserAndClient: number;
  /** Failed sign-ins per username from devices without its device token, within `newDeviceWindowMs`. */
  maxFailuresPerUserFromNewDevices: number;
  /** Window for `maxFailuresPerUserFromNewDevices`, in ms. */
  newDeviceWindowMs: number;
  /** Failed sign-ins per device token within `loginWindowMs` before 429 (for that device only). */
  maxFailuresPerDevice: number;
  /** Failed sign-ins per client address (IPv6 by /64) within `loginWindowMs`; successes give theirs back. */
  maxFailuresPerClient: number;
  /** Window for the per-(username, client), per-device and per-client counters, in ms. */
  loginWindowMs: number;
  /** Live sessions one user may have; a sign-in past it ends their least recently active one. */
  maxSessionsPerUser: number;
  /** How long an unsaved note (a draft) is kept after its last change, in ms (DRAFT_RETENTION). */
  draftRetentionMs: number;
  /** Consecutive failures for a username (no success between, within a day) that lock it for `lockoutMs`. */
  maxConsecutiveFailures: number;
  /** How long `maxConsecutiveFailures` refuses every attempt for the username, in ms. */
  lockoutMs: number;
  /** How long a device token is good for, in ms (also its cookie's Max-Age). */
  deviceTokenMaxAgeMs: number;
  /**
   * Recent sign-in ("sudo mode", ASVS 5 V7.5.2): ending other sessions and forgetting devices
   * need the password entered in this session within this long, in ms (REAUTH_WINDOW).
   */
  reauthWindowMs: number;
  /**
   * Longest a session hold keeps a session alive without any input, in ms (MAX_HOLD): a hold
   * heartbeat whose user has been idle for longer gets the usual idle rule (decision 024).
   */
  maxHoldMs: number;
}

export const defaultSessionConfig: SessionConfig = {
  idleTimeoutMs: 60_000,
  warningMs: 30_000,
  absoluteTimeoutMs: 8 * 60 * 60_000,
  cookieSecure: 'auto',
  maxFailuresPerUserAndClient: 5,
  maxFailuresPerUserFromNewDevices: 10,
  newDeviceWindowMs: 15 * 60_000,
  maxFailuresPerDevice: 5,
  maxFailuresPerClient: 50,
  loginWindowMs: 5 * 60_000,
  maxSessionsPerUser: 50,
  draftRetentionMs: 24 * 60 * 60_000,
  // NIST SP 800-63B, 5.2.2: no more than 100 consecutive failed attempts on one account.
  maxConsecutiveFailures: 100,
  lockoutMs: 60 * 60_000,
  deviceTokenMaxAgeMs: 30 * 24 * 60 * 60_000,
  reauthWindowMs: 10 * 60_000,
  maxHoldMs: 4 * 60 * 60_000,
};
