import type { SessionSummary, SessionTiming, User } from '../../shared/contract';
import type { Clock } from './clock';
import type { SessionConfig } from './policy';
import type { Logger } from '../logger';
import type { SessionStore } from '../stores/store';
import type { CredentialCheck } from './credentials';
import { browserLabel } from './browser-label';
import {
  expiresAt,
  heldActivityAt,
  isExpired,
  limitReached,
  recentlySignedIn,
  reportedActivityAt,
  sessionTiming,
  type SessionRecord,
} from './expiry';
import {
  hashWellFormedSessionId,
  isWellFormedPublicId,
  newPublicId,
  newSessionId,
  sessionLogRef,
  webDigests,
  type Digests,
} from './ids';
import { admitAttempt, clientGroup, recordFailure, recordSuccess } from './throttle';

export type SignInResult =
  | ({ ok: true; id: string; deviceToken: string } & ActiveSession)
  | { ok: false; reason: 'invalid_credentials' }
  /** `locked`: refused by the username's lock (LOGIN_LOCK_FAILURES; the answer is the same 429). */
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number; locked: boolean };

/** Why a session ended, as the metrics count it (`idle_session_session_ends_total{reason}`). */
export type SessionEndReason = 'signed_out' | 'idle' | 'absolute' | 'revoked' | 'evicted' | 'operator';

/** What the session rules tell whoever counts (server/metrics); nothing by default. */
export interface SessionEvents {
  /**
   * A session ended, counted once, by the instance that ended it or first saw it end: sign-out,
   * an expiry seen by a request (or the browser's automatic sign-out at its deadline), its user
   * ending it elsewhere, eviction past the cap, and an operator's end when its browser's
   * sign-out deletes it (the command itself runs in another process).
   */
  sessionEnded(reason: SessionEndReason): void;
}

const noEvents: SessionEvents = { sessionEnded() {} };

/** A password check that the sign-in throttle counts: refused, wrong, or right. */
type PasswordCheck =
  | { ok: true; counted: Parameters<typeof recordSuccess>[1] }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number; locked: boolean };

/** What `reauthenticate` did: a recent sign-in now, or why not. */
export type ReauthResult =
  | { live: false; revoked: boolean }
  | { live: true; ok: true }
  | { live: true; ok: false; reason: 'invalid_credentials' }
  | { live: true; ok: false; reason: 'rate_limited'; retryAfterSeconds: number; locked: boolean };

/** Where a password is being entered: the client and the device cookie, as the throttle sees them. */
export interface PasswordContext {
  clientAddress: string;
  /** The device cookie the browser had, if any. */
  deviceToken: string | undefined;
}

export interface SignInRequest {
  /** Canonical (shared/credentials.ts). */
  username: string;
  password: string;
  clientAddress: string;
  /** The session cookie the browser still had, ended by this sign-in. */
  previousId: string | undefined;
  /** The device cookie the browser had, if any. */
  deviceToken: string | undefined;
  /** The browser's User-Agent, kept only as a short label (`browserLabel`). */
  userAgent?: string;
}

export interface ActiveSession {
  record: SessionRecord;
  user: User;
  session: SessionTiming;
}

/**
 * A request's session: live, or not, and then whether its user ended it from another session
 * (the 401 says `session_revoked` rather than `unauthenticated`).
 */
export type SessionLookup = ({ live: true } & ActiveSession) | { live: false; revoked: boolean };

const notSignedIn: SessionLookup = { live: false, revoked: false };

/**
 * The session rules, with no HTTP in sight: sign in, resume, heartbeat, sign out.
 * Only `signIn` and `heartbeat` move `lastActivityAt`; `resume` only reads.
 */
export function createSessions({
  store,
  clock,
  config,
  logger,
  credentials,
  digests = webDigests,
  events = noEvents,
}: {
  store: SessionStore;
  clock: Clock;
  config: SessionConfig;
  logger: Logger;
  /** Which passwords are right (credentials.ts: `demoCredentials` is the demo rule). */
  credentials: CredentialCheck;
  events?: SessionEvents;
  /** How ids and passwords are hashed; Web Crypto unless the runtime has a faster way (Node). */
  digests?: Digests;
}) {
  const active = (record: SessionRecord, now: number): ActiveSession => ({
    record,
    user: { username: record.username },
    session: sessionTiming(record, config, now),
  });

  /**
   * The session for a cookie value, live or not. An expired one is deleted on sight; one its
   * user ended elsewhere stays (answering `revoked`) until its browser signs out or it is purged.
   */
  async function resume(id: string | undefined): Promise<SessionLookup> {
    const idHash = await hashWellFormedSessionId(id, digests);
    return idHash === undefined ? notSignedIn : resumeHashed(idHash);
  }

  async function resumeHashed(idHash: string): Promise<SessionLookup> {
    const record = await store.get(idHash);
    if (!record) return notSignedIn;
    const now = clock.now();
    if (isExpired(record, config, now)) {
      await store.delete(idHash);
      const limit = limitReached(record, config);
      logger.info('session_expired', { user: record.username, session: sessionLogRef(idHash), limit });
      // A revoked session was counted when it was ended (an operator's when it is deleted).
      if (!record.revoked) events.sessionEnded(limit);
      else if (record.revokedBy === 'operator') events.sessionEnded('operator');
      return notSignedIn;
    }
    if (record.revoked) return { live: false, revoked: true };
    return { live: true, ...active(record, now) };
  }

  async function signIn({
    username,
    password,
    clientAddress,
    previousId,
    deviceToken,
    userAgent,
  }: SignInRequest): Promise<SignInResult> {
    const now = clock.now();
    const deviceHash = await hashWellFormedSessionId(deviceToken, digests);
    const check = await checkPassword('sign_in', username, password, { clientAddress, deviceToken }, now);
    if (!check.ok) return check;
    await recordSuccess(store, check.counted, username, now);
    // A new id at every sign-in, and the browser's previous session ends: no fixation.
    const previousIdHash = await hashWellFormedSessionId(previousId, digests);
    if (previousIdHash !== undefined) await endPrevious(previousIdHash, now);
    const id = newSessionId();
    const record: SessionRecord = {
      idHash: await digests.hashSessionId(id),
      username,
      createdAt: now,
      lastActivityAt: now,
      publicId: newPublicId(),
      browser: browserLabel(userAgent),
    };
    await store.create(record, expiresAt(record, config));
    const newDeviceToken = await issueDeviceToken(username, deviceHash, now);
    logger.info('sign_in', {
      outcome: 'success',
      user: username,
      client: clientAddress,
      session: sessionLogRef(record.idHash),
    });
    await endSessionsOverCap(record, now);
    return { ok: true, id, deviceToken: newDeviceToken, ...active(record, now) };
  }

  /** The browser's previous session, ended by its new sign-in: counted as a sign-out when it was live. */
  async function endPrevious(idHash: string, now: number): Promise<void> {
    const record = await store.get(idHash);
    if (!record) return;
    await store.delete(idHash);
    countEnd(record, now, false);
  }

  /**
   * Counts the end of a session deleted at `now`: an expired one by the limit it reached (also
   * when its browser's automatic sign-out, which names it, comes a moment before the server's
   * deadline: the client's is never later), a revoked one only if an operator ended it (its
   * user's end was counted then), else a sign-out.
   */
  function countEnd(record: SessionRecord, now: number, automatic: boolean): void {
    if (record.revoked) {
      if (record.revokedBy === 'operator') events.sessionEnded('operator');
    } else if (automatic || isExpired(record, config, now)) events.sessionEnded(limitReached(record, config));
    else events.sessionEnded('signed_out');
  }

  /** The hash of `deviceToken` when it is a live device token of `username`, else undefined. */
  async function validDeviceHash(deviceToken: string | undefined, username: string, now: number) {
    const deviceHash = await hashWellFormedSessionId(deviceToken, digests);
    return deviceHash !== undefined && (await store.getDeviceToken(deviceHash, now)) === username
      ? deviceHash
      : undefined;
  }

  /**
   * Checks `password` for `username` under the sign-in throttle (session/throttle.ts): counted
   * before the check, a failure towards every limit and the lock, and logged as `event`. The
   * caller calls `recordSuccess` with `counted` when it acts on a right password.
   */
  async function checkPassword(
    event: 'sign_in' | 'reauth',
    username: string,
    password: string,
    { clientAddress, deviceToken }: PasswordContext,
    now: number,
  ): Promise<PasswordCheck> {
    const trustedDevice = await validDeviceHash(deviceToken, username, now);
    const client = clientGroup(clientAddress);
    const verdict = await admitAttempt(store, config, { username, client, trustedDevice }, now);
    if (!verdict.allowed) {
      const { retryAfterSeconds } = verdict;
      logger.warn(event, { outcome: 'rate_limited', user: username, client: clientAddress, retryAfterSeconds });
      return { ok: false, reason: 'rate_limited', retryAfterSeconds, locked: verdict.locked };
    }
    if (!(await credentials(username, password))) {
      logger.warn(event, { outcome: 'failure', user: username, client: clientAddress });
      const locked = await recordFailure(store, config, username, now);
      if (locked) {
        logger.warn('sign_in_locked', {
          user: username,
          consecutiveFailures: locked.lockedAfter,
          lockoutMs: config.lockoutMs,
        });
      }
      return { ok: false, reason: 'invalid_credentials' };
    }
    return { ok: true, counted: verdict.counted };
  }

  /**
   * The password entered again in the cookie's session (recent sign-in, "sudo mode"): checked
   * and throttled exactly like a sign-in, since it is one more way to guess it. A right one lets
   * this session end others and forget devices for `reauthWindowMs`.
   */
  async function reauthenticate(
    id: string | undefined,
    password: string,
    context: PasswordContext,
  ): Promise<ReauthResult> {
    const current = await resume(id);
    if (!current.live) return current;
    const now = clock.now();
    const { username } = current.user;
    const check = await checkPassword('reauth', username, password, context, now);
    if (!check.ok) return { live: true, ...check };
    await recordSuccess(store, check.counted, username, now);
    if (!(await store.markReauthenticated(current.record.idHash, now))) return { live: false, revoked: true };
    logger.info('reauth', { outcome: 'success', user: username, session: sessionLogRef(current.record.idHash) });
    return { live: true, ok: true };
  }

  /**
   * Forgets every device token of the cookie's user but this browser's (`deviceToken`, if it is
   * one of theirs): those browsers are new devices at their next sign-in, and a copied token is
   * refused like a forged one. Needs a recent sign-in.
   */
  async function forgetOtherDevices(
    id: string | undefined,
    deviceToken: string | undefined,
  ): Promise<
    { live: false; revoked: boolean } | { live: true; reauthRequired: true } | { live: true; forgotten: number }
  > {
    const current = await resume(id);
    if (!current.live) return current;
    const now = clock.now();
    if (!recentlySignedIn(current.record, config, now)) return { live: true, reauthRequired: true };
    const { username } = current.user;
    const keep = await validDeviceHash(deviceToken, username, now);
    const forgotten = await store.deleteDeviceTokensOfUser(username, keep);
    logger.info('devices_forgotten', { user: username, count: forgotten, by: sessionLogRef(current.record.idHash) });
    return { live: true, forgotten };
  }

  /**
   * A new device token for `username`, replacing the one the browser had (one per browser; a
   * browser that signs in as someone else is a new device for the first user again). Only its
   * hash is stored, so no signing secret has to be shared between instances.
   */
  async function issueDeviceToken(username: string, previousHash: string | undefined, now: number): Promise<string> {
    const token = newSessionId();
    await Promise.all([
      store.saveDeviceToken(await digests.hashSessionId(token), username, now + config.deviceTokenMaxAgeMs, now),
      previousHash === undefined ? undefined : store.deleteDeviceToken(previousHash),
    ]);
    return token;
  }

  /** Past `maxSessionsPerUser` live sessions, the least recently active ones end (not the new one). */
  async function endSessionsOverCap(created: SessionRecord, now: number): Promise<void> {
    const live = await store.listByUser(created.username, now);
    const excess = live.length - config.maxSessionsPerUser;
    if (excess <= 0) return;
    const oldest = live
      .filter((record) => record.idHash !== created.idHash)
      .sort((a, b) => a.lastActivityAt - b.lastActivityAt)
      .slice(0, excess);
    for (const record of oldest) {
      await store.delete(record.idHash);
      events.sessionEnded('evicted');
      logger.info('session_evicted', {
        user: record.username,
        session: sessionLogRef(record.idHash),
        by: sessionLogRef(created.idHash),
        maxSessionsPerUser: config.maxSessionsPerUser,
      });
    }
  }

  /**
   * The heartbeat's ordinary case alone: the session extended (see `heartbeat`), or undefined,
   * with nothing done, when it is not live (no cookie, gone, expired, revoked) or the store could
   * not extend it. Only the hold's log line is written, for a session it extended. The Node
   * server answers this case without its framework (http/node-heartbeat.ts, decision 033) and
   * hands every other to the app's route, which runs `heartbeat`.
   */
  async function extendLive(
    id: string | undefined,
    idleForMs?: number,
    hold?: string,
  ): Promise<(ActiveSession & { live: true; held?: boolean }) | undefined> {
    const idHash = await hashWellFormedSessionId(id, digests);
    return idHash === undefined ? undefined : extendHashed(idHash, idleForMs, hold);
  }

  async function extendHashed(idHash: string, idleForMs: number | undefined, hold: string | undefined) {
    const now = clock.now();
    const { activityAt, held } =
      hold === undefined
        ? { activityAt: reportedActivityAt(config, now, idleForMs), held: undefined }
        : heldActivityAt(config, now, idleForMs);
    // Check and extend in one step of the store: one statement or script, no race with a sign-out.
    const record = await store.extend(idHash, activityAt, now, config);
    if (!record) return undefined;
    if (hold !== undefined) {
      logger.info(held ? 'session_held' : 'hold_refused', {
        user: record.username,
        session: sessionLogRef(idHash),
        hold,
        idleForMs: Math.max(0, Math.round(idleForMs ?? 0)),
        ...(held ? {} : { maxHoldMs: config.maxHoldMs }),
      });
    }
    return { live: true as const, ...active(record, now), held };
  }

  /**
   * Reports activity `idleForMs` ago; with `hold` (decision 024), that a session hold keeps the
   * user signed in: activity now, unless the user has given no input for `maxHoldMs`. `held`
   * says which rule applied (undefined without `hold`).
   */
  async function heartbeat(
    id: string | undefined,
    idleForMs?: number,
    hold?: string,
  ): Promise<SessionLookup & { held?: boolean }> {
    const idHash = await hashWellFormedSessionId(id, digests);
    if (idHash === undefined) {
      logger.info('heartbeat_rejected', { reason: id === undefined ? 'no_cookie' : 'no_live_session' });
      return notSignedIn;
    }
    const extended = await extendHashed(idHash, idleForMs, hold);
    if (extended) return extended;
    // Gone, expired or revoked (the rare path): an expired session is deleted and logged, as on any read.
    const lookup = await resumeHashed(idHash);
    const revoked = !lookup.live && lookup.revoked;
    logger.info('heartbeat_rejected', { reason: revoked ? 'session_revoked' : 'no_live_session' });
    return revoked ? lookup : notSignedIn;
  }

  /**
   * Deletes the cookie's session (idempotent). With `expectedPublicId` (an automatic sign-out
   * says which session it is about), a live session with another public id is kept: the cookie
   * is a newer sign-in's. Returns whether the cookie's session is gone (the caller clears it).
   */
  async function signOut(id: string | undefined, expectedPublicId?: string): Promise<boolean> {
    const idHash = await hashWellFormedSessionId(id, digests);
    if (idHash === undefined) return true;
    const record = await store.get(idHash);
    if (record && expectedPublicId !== undefined && record.publicId !== expectedPublicId) {
      logger.info('sign_out_skipped', { user: record.username, session: sessionLogRef(idHash) });
      return false;
    }
    await store.delete(idHash);
    if (record) {
      logger.info('sign_out', { user: record.username, session: sessionLogRef(idHash) });
      countEnd(record, clock.now(), expectedPublicId !== undefined);
    }
    return true;
  }

  /** The live sessions of the cookie's user, the current one first, then the most recently active. */
  async function list(id: string | undefined): Promise<SessionLookup & { sessions?: SessionSummary[] }> {
    const current = await resume(id);
    if (!current.live) return current;
    const now = clock.now();
    const records = await store.listByUser(current.user.username, now);
    const order = (record: SessionRecord) =>
      record.idHash === current.record.idHash ? Infinity : record.lastActivityAt;
    const sessions = records
      .filter((record) => !isExpired(record, config, now))
      .sort((a, b) => order(b) - order(a))
      .map((record) => summary(record, record.idHash === current.record.idHash, now));
    return { ...current, sessions };
  }

  function summary(record: SessionRecord, current: boolean, now: number): SessionSummary {
    const { idleExpiresInMs, absoluteExpiresInMs } = sessionTiming(record, config, now);
    return {
      id: record.publicId,
      current,
      signedInAt: new Date(record.createdAt).toISOString(),
      lastActiveAt: new Date(record.lastActivityAt).toISOString(),
      idleExpiresInMs,
      absoluteExpiresInMs,
      browser: record.browser,
    };
  }

  /**
   * Ends the sessions of the cookie's user that `which` picks from their live ones: the one with
   * a public id, or every one but the current. Returns how many ended (0 for an id that is not
   * one of the user's live sessions), or the lookup when the cookie has no live session.
   */
  async function end(
    id: string | undefined,
    which: { publicId: string } | 'others',
  ): Promise<{ live: true; ended: number } | { live: true; reauthRequired: true } | { live: false; revoked: boolean }> {
    const current = await resume(id);
    if (!current.live) return current;
    const now = clock.now();
    // Before anything about the target: without a recent sign-in, no id is even looked at.
    if (!recentlySignedIn(current.record, config, now)) return { live: true, reauthRequired: true };
    if (which !== 'others' && !isWellFormedPublicId(which.publicId)) return { live: true, ended: 0 };
    const { username } = current.user;
    const targets = (await store.listByUser(username, now)).filter((record) =>
      which === 'others' ? record.idHash !== current.record.idHash : record.publicId === which.publicId,
    );
    let ended = 0;
    for (const record of targets) {
      if (!(await store.revoke(username, record.idHash, now))) continue;
      ended++;
      events.sessionEnded('revoked');
      logger.info('session_revoked', {
        user: username,
        session: sessionLogRef(record.idHash),
        by: sessionLogRef(current.record.idHash),
      });
    }
    return { live: true, ended };
  }

  return { resume, signIn, heartbeat, extendLive, signOut, list, end, reauthenticate, forgetOtherDevices };
}

export type Sessions = ReturnType<typeof createSessions>;

/**
 * The session rules for one request: the routes ask for them with the request at hand, and get
 * rules that log with its id (request-id.ts, app.ts).
 */
export type SessionsOf<Request> = (request: Request) => Sessions;
