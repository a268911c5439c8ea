import type { SessionTiming } from '../../shared/contract';
import type { SessionConfig } from './policy';

/** What the store holds for a session. Times are server clock milliseconds. */
export interface SessionRecord {
  /** SHA-256 of the session id (see ids.ts); the id itself is never stored. */
  idHash: string;
  username: string;
  createdAt: number;
  /** The moment of the user's last reported activity. Only sign-in and heartbeats move it. */
  lastActivityAt: number;
  /**
   * The session's public handle (ids.ts `newPublicId`): what the session list shows and
   * `DELETE /api/sessions/:id` takes. Neither the cookie value nor its hash.
   */
  publicId: string;
  /** A short label such as "Chrome on Linux", from the User-Agent at sign-in (browser-label.ts). */
  browser: string;
  /**
   * Set when the user ended this session from another one: it is no longer live, but answers
   * `session_revoked` (not just `unauthenticated`) until its browser signs out or it is purged.
   */
  revoked?: true;
  /** Set with `revoked` when an operator ended it (`npm run sessions -- end`), not its user. */
  revokedBy?: 'operator';
  /**
   * When the user last entered their password in this session other than at sign-in
   * (`POST /api/session/reauth`); unset until they do. See `recentlySignedIn`.
   */
  reauthenticatedAt?: number;
}

/** Shortest heartbeat interval, so a tiny test config cannot make clients flood the server. */
const minHeartbeatIntervalMs = 250;

/**
 * How often an active client reports activity: at most a third of the time between the last
 * activity and the warning, and at most a minute. Three chances to report before the warning.
 */
export function heartbeatIntervalMs(config: SessionConfig): number {
  const third = Math.floor((config.idleTimeoutMs - config.warningMs) / 3);
  return Math.max(minHeartbeatIntervalMs, Math.min(60_000, third));
}

/** The two limits that decide when a session ends (what a store needs to extend one). */
export type SessionLimits = Pick<SessionConfig, 'idleTimeoutMs' | 'absoluteTimeoutMs'>;

/** The moment inactivity ends the session, unless a heartbeat moves it. */
function idleDeadline(record: SessionRecord, limits: SessionLimits): number {
  return record.lastActivityAt + limits.idleTimeoutMs;
}

/** The moment the session ends whatever the user does. */
function absoluteDeadline(record: SessionRecord, limits: SessionLimits): number {
  return record.createdAt + limits.absoluteTimeoutMs;
}

/** The moment the session ends: the earlier of the idle and the absolute deadline. */
export function expiresAt(record: SessionRecord, limits: SessionLimits): number {
  return Math.min(idleDeadline(record, limits), absoluteDeadline(record, limits));
}

/** Which limit ends the session: the one reached first, not every one passed by the time anyone looks. */
export function limitReached(record: SessionRecord, limits: SessionLimits): 'idle' | 'absolute' {
  return absoluteDeadline(record, limits) <= idleDeadline(record, limits) ? 'absolute' : 'idle';
}

export function isExpired(record: SessionRecord, limits: SessionLimits, now: number): boolean {
  return now >= expiresAt(record, limits);
}

/** Live: neither expired nor ended by its user from another session. */
export function isLive(record: SessionRecord, limits: SessionLimits, now: number): boolean {
  return !record.revoked && !isExpired(record, limits, now);
}

/** The timing a client needs, as durations from `now` (never clock times: client clocks differ). */
export function sessionTiming(record: SessionRecord, config: SessionConfig, now: number): SessionTiming {
  return {
    idleTimeoutMs: config.idleTimeoutMs,
    warningMs: config.warningMs,
    idleExpiresInMs: Math.max(0, idleDeadline(record, config) - now),
    absoluteExpiresInMs: Math.max(0, absoluteDeadline(record, config) - now),
    heartbeatIntervalMs: heartbeatIntervalMs(config),
  };
}

/**
 * The new `lastActivityAt` after a heartbeat saying the user was last active `idleForMs` ago.
 * The claim is clamped to `[0, idle timeout]` (a client cannot claim activity in the future, and
 * an older claim can only date activity earlier), and activity never moves backwards.
 */
export function activityAfterHeartbeat(
  record: SessionRecord,
  config: SessionConfig,
  now: number,
  idleForMs = 0,
): number {
  return Math.max(record.lastActivityAt, reportedActivityAt(config, now, idleForMs));
}

/**
 * When a heartbeat says the user was last active: `now - idleForMs`, the claim clamped to
 * `[0, idle timeout]`. A heartbeat retried after a network outage carries activity older than
 * `H`; it is dated when it happened, so the session ends when it should (decision 018). The
 * upper bound only keeps the number sane: a claim that old could not extend the session anyway.
 */
export function reportedActivityAt(config: Pick<SessionConfig, 'idleTimeoutMs'>, now: number, idleForMs = 0): number {
  // Whole milliseconds: stores keep integers (SQLite STRICT INTEGER columns, Redis PEXPIREAT).
  const clamped = Math.min(Math.max(0, Math.ceil(idleForMs)), config.idleTimeoutMs);
  return now - clamped;
}

/**
 * When a hold heartbeat (decision 024) says the user was last active: now, as if the user had
 * just worked, while the hold is within `maxHoldMs`; past it, the usual rule
 * (`reportedActivityAt`). `idleForMs` is how long the user has given no input, which is at least
 * how long the hold has kept them signed in: a hold starts with a click, and input during it
 * restarts the count. No new state: the server reads the age of the hold from the claim it
 * already trusts for ordinary heartbeats, and the absolute limit caps the session either way.
 */
export function heldActivityAt(
  config: Pick<SessionConfig, 'idleTimeoutMs' | 'maxHoldMs'>,
  now: number,
  idleForMs = 0,
): { activityAt: number; held: boolean } {
  if (idleForMs < config.maxHoldMs) return { activityAt: now, held: true };
  return { activityAt: reportedActivityAt(config, now, idleForMs), held: false };
}

/**
 * A heartbeat applied to a record: undefined when the session has already ended at `now` (it
 * cannot be brought back), else the record with activity at `activityAt`, never moved backwards.
 * Stores apply this rule in one atomic step (`SessionStore.extend`).
 */
export function extendedRecord(
  record: SessionRecord,
  activityAt: number,
  now: number,
  limits: SessionLimits,
): SessionRecord | undefined {
  if (!isLive(record, limits, now)) return undefined;
  return { ...record, lastActivityAt: Math.max(record.lastActivityAt, activityAt) };
}

/**
 * Recent sign-in ("sudo mode", ASVS 5 V7.5.2): whether the password was entered in this session,
 * at sign-in or since, within `reauthWindowMs` of `now`. Ending other sessions and forgetting
 * devices need it, so a session left open on a shared computer cannot lock its owner out.
 */
export function recentlySignedIn(
  record: SessionRecord,
  config: Pick<SessionConfig, 'reauthWindowMs'>,
  now: number,
): boolean {
  return now - Math.max(record.createdAt, record.reauthenticatedAt ?? -Infinity) < config.reauthWindowMs;
}
