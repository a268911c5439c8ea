import type { SessionTiming, User } from '../../shared/contract';
import type { SessionConfig } from '../config';
import type { Logger } from '../logger';
import type { SessionStore } from '../stores/store';
import { passwordMatches } from './credentials';
import { expiresAt, isExpired, limitReached, reportedActivityAt, sessionTiming, type SessionRecord } from './expiry';
import { hashWellFormedSessionId, newSessionId, sessionLogRef, webDigests, type Digests } from './ids';
import { admitAttempt, clientGroup, recordFailure, recordSuccess } from './throttle';

export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
}

export type SignInResult =
  | { ok: true; id: string; deviceToken: string; user: User; session: SessionTiming }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

export interface SignInRequest {
  /** Canonical (shared/credentials.ts). */
  username: string;
  password: string;
  clientAddress: string;
  /** The session cookie the browser still had, ended by this sign-in. */
  previousId: string | undefined;
  /** The device cookie the browser had, if any. */
  deviceToken: string | undefined;
}

export interface ActiveSession {
  record: SessionRecord;
  user: User;
  session: SessionTiming;
}

/**
 * The session rules, with no HTTP in sight: sign in, resume, heartbeat, sign out.
 * Only `signIn` and `heartbeat` move `lastActivityAt`; `resume` only reads.
 */
export function createSessions({
  store,
  clock,
  config,
  logger,
  digests = webDigests,
}: {
  store: SessionStore;
  clock: Clock;
  config: SessionConfig;
  logger: Logger;
  /** How ids and passwords are hashed; Web Crypto unless the runtime has a faster way (Node). */
  digests?: Digests;
}) {
  const active = (record: SessionRecord, now: number): ActiveSession => ({
    record,
    user: { username: record.username },
    session: sessionTiming(record, config, now),
  });

  /** The live session for a cookie value, or undefined. An expired one is revoked on sight. */
  async function resume(id: string | undefined): Promise<ActiveSession | undefined> {
    const idHash = await hashWellFormedSessionId(id, digests);
    return idHash === undefined ? undefined : resumeHashed(idHash);
  }

  async function resumeHashed(idHash: string): Promise<ActiveSession | undefined> {
    const record = await store.get(idHash);
    if (!record) return undefined;
    const now = clock.now();
    if (isExpired(record, config, now)) {
      await store.delete(idHash);
      logger.info('session_expired', {
        user: record.username,
        session: sessionLogRef(idHash),
        limit: limitReached(record, config),
      });
      return undefined;
    }
    return active(record, now);
  }

  async function signIn({
    username,
    password,
    clientAddress,
    previousId,
    deviceToken,
  }: SignInRequest): Promise<SignInResult> {
    const now = clock.now();
    const deviceHash = await hashWellFormedSessionId(deviceToken, digests);
    const trustedDevice =
      deviceHash !== undefined && (await store.getDeviceToken(deviceHash, now)) === username ? deviceHash : undefined;
    const client = clientGroup(clientAddress);
    const verdict = await admitAttempt(store, config, { username, client, trustedDevice }, now);
    if (!verdict.allowed) {
      const { retryAfterSeconds } = verdict;
      logger.warn('sign_in', { outcome: 'rate_limited', user: username, client: clientAddress, retryAfterSeconds });
      return { ok: false, reason: 'rate_limited', retryAfterSeconds };
    }
    if (!(await passwordMatches(username, password, digests))) {
      logger.warn('sign_in', { outcome: 'failure', user: username, client: clientAddress });
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
    await recordSuccess(store, verdict.counted, username, now);
    // A new id at every sign-in, and the browser's previous session ends: no fixation.
    const previousIdHash = await hashWellFormedSessionId(previousId, digests);
    if (previousIdHash !== undefined) await store.delete(previousIdHash);
    const id = newSessionId();
    const record: SessionRecord = {
      idHash: await digests.hashSessionId(id),
      username,
      createdAt: now,
      lastActivityAt: now,
    };
    await store.create(record, expiresAt(record, config));
    const newDeviceToken = await issueDeviceToken(username, deviceHash, now);
    logger.info('sign_in', {
      outcome: 'success',
      user: username,
      client: clientAddress,
      session: sessionLogRef(record.idHash),
    });
    return { ok: true, id, deviceToken: newDeviceToken, ...active(record, now) };
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

  /** Reports activity `idleForMs` ago. Undefined when there is no live session. */
  async function heartbeat(id: string | undefined, idleForMs?: number): Promise<ActiveSession | undefined> {
    const idHash = await hashWellFormedSessionId(id, digests);
    if (idHash === undefined) {
      logger.info('heartbeat_rejected', { reason: id === undefined ? 'no_cookie' : 'no_live_session' });
      return undefined;
    }
    const now = clock.now();
    // Check and extend in one step of the store: one statement or script, no race with a sign-out.
    const record = await store.extend(idHash, reportedActivityAt(config, now, idleForMs), now, config);
    if (record) return active(record, now);
    // Gone or expired (the rare path): an expired session is revoked and logged, as on any read.
    await resumeHashed(idHash);
    logger.info('heartbeat_rejected', { reason: 'no_live_session' });
    return undefined;
  }

  /** Revokes the session (idempotent). */
  async function signOut(id: string | undefined): Promise<void> {
    const idHash = await hashWellFormedSessionId(id, digests);
    if (idHash === undefined) return;
    const record = await store.get(idHash);
    await store.delete(idHash);
    if (record) logger.info('sign_out', { user: record.username, session: sessionLogRef(idHash) });
  }

  return { resume, signIn, heartbeat, signOut };
}

export type Sessions = ReturnType<typeof createSessions>;
