import type { SessionLimits, SessionRecord } from '../session/expiry';
import type { NoteStore } from './note-store';

/** A failure counter for login throttling: `count` failures since the window opened, until `resetAt`. */
export interface FailureCounter {
  count: number;
  resetAt: number;
}

/** A device token as the store keeps it: only its hash, the username it is for, and until when. */
export interface DeviceTokenRecord {
  username: string;
  expiresAt: number;
}

/**
 * Where sessions, login-failure counters and device tokens live. All times are server clock milliseconds.
 * What the session rules (session/) need of a store, and no more: notes are a `NoteStore` of their own.
 */
export interface SessionStore {
  /** Saves a new session that ends at `expiresAt` unless a heartbeat moves it. */
  create(record: SessionRecord, expiresAt: number): Promise<void>;
  /** The session with this id hash, or undefined. May return an expired one: callers check. */
  get(idHash: string): Promise<SessionRecord | undefined>;
  /**
   * A heartbeat in one atomic step (read, check and write; one statement or script, so one round
   * trip): when the session is live at `now` under `limits`, moves `lastActivityAt` to
   * `activityAt` if that is later and the purge time with it, and returns the record as it now
   * is (`extendedRecord` in session/expiry.ts). Returns undefined and writes nothing when the
   * session is missing, revoked or expired.
   */
  extend(idHash: string, activityAt: number, now: number, limits: SessionLimits): Promise<SessionRecord | undefined>;
  /** Deletes a session (gone: `get` returns undefined; not `revoke`). Deleting a missing one is not an error. */
  delete(idHash: string): Promise<void>;
  /**
   * The sessions of `username` live at `now` (stored expiry not passed, not `revoked`), in any
   * order, through a per-user index: never a scan of every session. Entries of sessions that are
   * gone are dropped from the index on the way.
   */
  listByUser(username: string, now: number): Promise<SessionRecord[]>;
  /**
   * Ends a live session of `username` as ended by its user from another one: it leaves the list,
   * `extend` refuses it, and `get` returns it with `revoked: true` until it is deleted or purged.
   * Returns false and changes nothing when `idHash` is not a live session of this user.
   */
  revoke(username: string, idHash: string, now: number): Promise<boolean>;
  /**
   * Records that the user entered their password in this session at `at` (recent sign-in): `get`
   * returns it as `reauthenticatedAt`. Returns false and changes nothing when the session is
   * missing or revoked. Moves no deadline.
   */
  markReauthenticated(idHash: string, at: number): Promise<boolean>;
  /**
   * Every session live at `now` (stored expiry not passed, not revoked), in any order. A scan of
   * the whole store: for the operator command (`npm run sessions -- list`), never for a request.
   */
  listLive(now: number): Promise<SessionRecord[]>;
  /**
   * Live sessions at `now` (not revoked), without reading them: with `endingBy`, only those whose
   * stored expiry is at or before it. Cheap enough for a metrics refresh, not for every request.
   */
  countLive(now: number, endingBy?: number): Promise<number>;
  /**
   * Ends every live session (of `username`, when given) as an operator: each is revoked as by
   * `revoke`, with `revokedBy: 'operator'`, so its browser gets `session_revoked`. Returns how
   * many it ended. For the operator command; works while servers run on the same store.
   */
  revokeAll(now: number, username?: string): Promise<number>;
  /**
   * Deletes sessions whose `expiresAt` has passed, stale counters and expired device tokens;
   * returns how many sessions went.
   */
  purgeExpired(now: number): Promise<number>;

  /** The live failure counter for `key`, or undefined when there is none or its window has passed. */
  getFailures(key: string, now: number): Promise<FailureCounter | undefined>;
  /** Adds one failure, opening a window of `windowMs` if none is open. Atomic. */
  addFailure(key: string, now: number, windowMs: number): Promise<FailureCounter>;
  clearFailures(key: string): Promise<void>;
  /**
   * Gives one failure back (the attempt it counted was not a failure after all: a success, or an
   * attempt refused by another limit). Atomic; never below 0; a closed window stays closed.
   */
  takeBackFailure(key: string, now: number): Promise<void>;

  /** Remembers a device token (by its hash) as issued for `username` at `now`, until `expiresAt`. */
  saveDeviceToken(tokenHash: string, username: string, expiresAt: number, now: number): Promise<void>;
  /** The username a device token was issued for, or undefined when unknown or expired at `now`. */
  getDeviceToken(tokenHash: string, now: number): Promise<string | undefined>;
  /** Forgets a device token. Deleting a missing one is not an error. */
  deleteDeviceToken(tokenHash: string): Promise<void>;
  /**
   * Forgets every device token issued for `username` but `keepHash` (the browser asking; none
   * kept when it is undefined: the operator's `--forget-devices`), through a per-user index,
   * never a scan of every token. Returns how many were forgotten.
   */
  deleteDeviceTokensOfUser(username: string, keepHash?: string): Promise<number>;

  /** Resolves when the store can serve requests; rejects otherwise (for /api/health). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A whole store: its sessions part (above) and its notes part (note-store.ts), over one database or
 * connection. Implementations: sqlite.ts (default, embedded), memory.ts (tests, mock mode), redis.ts
 * (many instances). The app composes them: it hands the sessions part to the session rules and the
 * notes part to the notes rules (app.ts), so neither depends on the other.
 */
export type Store = SessionStore & NoteStore;
