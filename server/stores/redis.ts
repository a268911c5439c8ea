import { Redis, ReplyError } from 'ioredis';
import type { SessionRecord } from '../session/expiry';
import { createRedisNotes } from './redis-notes';
import type { FailureCounter, Store } from './store';
import { guardStore, storeTimeoutMs } from './unavailable';

/**
 * The store for many server instances behind a load balancer: every instance sees the same
 * sessions and the same login-failure counters.
 *
 * Key layout (all under one prefix, so the store can share a Redis with other apps):
 * - `idle-session:session:<idHash>`: hash {username, createdAt, lastActivityAt, expiresAt,
 *   publicId, browser, revoked (only once revoked), reauthenticatedAt (only once the password
 *   was entered again in it)}
 * - `idle-session:session-expiry`: sorted set, member `<idHash>:<username>`, score expiresAt (for
 *   purgeExpired, which must find the user's index even after Redis expired the hash itself)
 * - `idle-session:session-revoked`: sorted set like the expiry index, of the sessions that are
 *   revoked (by their user or an operator) and not yet purged: live = expiry index - this, by
 *   score, so counting live sessions is two ZCOUNTs, never a scan (countLive, for metrics)
 * - `idle-session:user-sessions:<username>`: set of the id hashes of the user's sessions (the
 *   per-user index). The scripts that create and delete sessions keep it; listing drops members
 *   whose hash Redis expired, and purgeExpired those of sessions it deletes, so it never grows
 *   past the user's sessions that are live or not yet purged.
 * - `idle-session:failures:<key>`: hash {count, resetAt}
 * - `idle-session:device:<tokenHash>`: hash {username, expiresAt}
 * - `idle-session:user-devices:<username>`: set of the hashes of the user's device tokens (the
 *   per-user index, for forgetting them all); its TTL follows the newest token's
 * - notes and drafts: see redis-notes.ts
 *
 * The app's clock decides validity (it may be a test clock far from Redis's own time): a session
 * is valid by its record, a failure window by its stored `resetAt` compared with the `now` the
 * app passes. Redis expiry is garbage collection, set as a TTL (a duration, so it does not care
 * which clock the app uses), never as an absolute Redis time.
 */

const prefix = 'idle-session:';
const sessionKey = (idHash: string) => `${prefix}session:${idHash}`;
const expiryIndexKey = `${prefix}session-expiry`;
const revokedIndexKey = `${prefix}session-revoked`;
const failureKey = (key: string) => `${prefix}failures:${key}`;
const userKey = (username: string) => `${prefix}user-sessions:${username}`;
/** The expiry index's member `<idHash>:<username>`: id hashes are base64url, so the first ':' splits. */
function parseExpiryMember(member: string): { idHash: string; username: string } {
  const at = member.indexOf(':');
  return at < 0 ? { idHash: member, username: '' } : { idHash: member.slice(0, at), username: member.slice(at + 1) };
}
const deviceTokenKey = (tokenHash: string) => `${prefix}device:${tokenHash}`;
const userDevicesKey = (username: string) => `${prefix}user-devices:${username}`;

/** Sessions read or revoked per pipeline by the operator's scans. */
const batchSize = 500;

/** Failure counters live this long in Redis after their window has closed (by the app's clock). */
const failureGcMarginMs = 60_000;
/** How long a health check waits for PONG before calling the store down. */
const pingTimeoutMs = storeTimeoutMs;

/**
 * Redis replies that mean "not now" rather than "wrong": loading its data after a restart, a
 * script running too long, a failed save that stops writes, a replica, a failover.
 */
const unavailableReplies = /^(LOADING|BUSY|MISCONF|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOREPLICAS)\b/;

/**
 * Whether an error from ioredis means Redis cannot answer now (a 503), not a bug (a 500): every
 * error that is not a Redis reply is about the connection (refused, closed, not writable while
 * reconnecting, a command timeout, retries used up); of the replies, only the "not now" ones.
 */
function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof (ReplyError as typeof Error)) return unavailableReplies.test(error.message);
  return true;
}

// All the scripts name every key they touch in KEYS, and are atomic: no other client's
// command runs between their reads and writes.
const scripts = {
  /**
   * KEYS: session, index, user index. ARGV: idHash, username, createdAt, lastActivityAt,
   * expiresAt, ttlMs, publicId, browser.
   */
  idleSessionCreate: {
    numberOfKeys: 3,
    lua: `
      redis.call('DEL', KEYS[1])
      redis.call('HSET', KEYS[1], 'username', ARGV[2], 'createdAt', ARGV[3], 'lastActivityAt', ARGV[4],
        'expiresAt', ARGV[5], 'publicId', ARGV[7], 'browser', ARGV[8])
      redis.call('PEXPIRE', KEYS[1], ARGV[6])
      redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1] .. ':' .. ARGV[2])
      redis.call('SADD', KEYS[3], ARGV[1])
      return 1`,
  },
  /**
   * KEYS: session, index, user index, revoked index. ARGV: idHash. Deletes the session and its
   * index entries; the caller read the username (for the user index's key) just before.
   */
  idleSessionDelete: {
    numberOfKeys: 4,
    lua: `
      local username = redis.call('HGET', KEYS[1], 'username')
      redis.call('DEL', KEYS[1])
      if username then
        redis.call('ZREM', KEYS[2], ARGV[1] .. ':' .. username)
        redis.call('ZREM', KEYS[4], ARGV[1] .. ':' .. username)
      end
      redis.call('SREM', KEYS[3], ARGV[1])
      return 1`,
  },
  /**
   * KEYS: session, user index, revoked index. ARGV: idHash, username, now, who ('1': its user,
   * 'operator'). Marks a live session of this user revoked, takes it out of the user index and
   * into the revoked index; it keeps its TTL and expiry entry (purge deletes it). Returns 1 when
   * it did, 0 for anyone else's session, a revoked or an expired one.
   */
  idleSessionRevoke: {
    numberOfKeys: 3,
    lua: `
      local fields = redis.call('HMGET', KEYS[1], 'username', 'expiresAt', 'revoked')
      if fields[1] ~= ARGV[2] or fields[3] or not tonumber(fields[2]) then return 0 end
      if tonumber(fields[2]) <= tonumber(ARGV[3]) then return 0 end
      redis.call('HSET', KEYS[1], 'revoked', ARGV[4])
      redis.call('SREM', KEYS[2], ARGV[1])
      redis.call('ZADD', KEYS[3], fields[2], ARGV[1] .. ':' .. ARGV[2])
      return 1`,
  },
  /**
   * KEYS: index, revoked index. ARGV: now, endingBy ('+inf' for all). Live sessions by their
   * index scores: expiry after now (and at or before endingBy), less the revoked ones.
   */
  idleSessionCountLive: {
    numberOfKeys: 2,
    lua: `
      local min = '(' .. ARGV[1]
      return redis.call('ZCOUNT', KEYS[1], min, ARGV[2]) - redis.call('ZCOUNT', KEYS[2], min, ARGV[2])`,
  },
  /**
   * KEYS: session. ARGV: at. Records a recent sign-in on a live (not revoked) session; returns 1
   * when it did, 0 for a missing or revoked one (HSET alone would make a hash of a missing one).
   */
  idleSessionMarkReauthenticated: {
    numberOfKeys: 1,
    lua: `
      local fields = redis.call('HMGET', KEYS[1], 'username', 'revoked')
      if not fields[1] or fields[2] then return 0 end
      redis.call('HSET', KEYS[1], 'reauthenticatedAt', ARGV[1])
      return 1`,
  },
  /**
   * KEYS: device token, user's device index. ARGV: tokenHash, username. Forgets the token if it
   * is that user's (the index may hold a hash since reissued to no one) and drops the index entry.
   * Returns 1 when a token was forgotten.
   */
  idleSessionForgetDevice: {
    numberOfKeys: 2,
    lua: `
      redis.call('SREM', KEYS[2], ARGV[1])
      if redis.call('HGET', KEYS[1], 'username') ~= ARGV[2] then return 0 end
      redis.call('DEL', KEYS[1])
      return 1`,
  },
  /**
   * extendedRecord (session/expiry.ts) in one script, so a heartbeat is one round trip.
   * KEYS: session, index. ARGV: idHash, activityAt, now, idleTimeoutMs, absoluteTimeoutMs.
   * Returns the hash as it now is (HGETALL), or nil and writes nothing when the session is
   * gone or expired: a heartbeat racing a sign-out (or Redis's own expiry) must not bring the
   * session back as a hash holding only the new fields.
   */
  idleSessionExtend: {
    numberOfKeys: 2,
    lua: `
      local fields = redis.call('HMGET', KEYS[1], 'username', 'createdAt', 'lastActivityAt', 'revoked')
      local createdAt, lastActivityAt = tonumber(fields[2]), tonumber(fields[3])
      if not fields[1] or not createdAt or not lastActivityAt or fields[4] then return nil end
      local activityAt, now = tonumber(ARGV[2]), tonumber(ARGV[3])
      local idle, absolute = tonumber(ARGV[4]), tonumber(ARGV[5])
      if now >= math.min(lastActivityAt + idle, createdAt + absolute) then return nil end
      if activityAt > lastActivityAt then lastActivityAt = activityAt end
      local expiresAt = math.min(lastActivityAt + idle, createdAt + absolute)
      local last, expires = string.format('%.0f', lastActivityAt), string.format('%.0f', expiresAt)
      redis.call('HSET', KEYS[1], 'lastActivityAt', last, 'expiresAt', expires)
      redis.call('PEXPIRE', KEYS[1], string.format('%.0f', math.max(1, expiresAt - now)))
      redis.call('ZADD', KEYS[2], expires, ARGV[1] .. ':' .. fields[1])
      return redis.call('HGETALL', KEYS[1])`,
  },
  /**
   * KEYS: session, index, user index, revoked index. ARGV: idHash, now, index member. Deletes the session when
   * its expiresAt has passed and drops its index entries when it is gone. Returns 1 when this
   * call deleted a session. A session touched since the caller read the index keeps its new
   * (later) score.
   */
  idleSessionPurgeOne: {
    numberOfKeys: 4,
    lua: `
      local expiresAt = redis.call('HGET', KEYS[1], 'expiresAt')
      if expiresAt and tonumber(expiresAt) > tonumber(ARGV[2]) then return 0 end
      redis.call('ZREM', KEYS[2], ARGV[3])
      redis.call('ZREM', KEYS[4], ARGV[3])
      redis.call('SREM', KEYS[3], ARGV[1])
      if not expiresAt then return 0 end
      redis.call('DEL', KEYS[1])
      return 1`,
  },
  /**
   * KEYS: counter. ARGV: now, resetAt for a new window (now + windowMs), gcMarginMs.
   * Returns {count, resetAt}. A window is open while its stored resetAt is after `now`;
   * otherwise this failure opens a new one. Two instances adding at once never lose a count.
   */
  idleSessionAddFailure: {
    numberOfKeys: 1,
    lua: `
      local now = tonumber(ARGV[1])
      local resetAt = redis.call('HGET', KEYS[1], 'resetAt')
      local count
      if resetAt and tonumber(resetAt) > now then
        count = redis.call('HINCRBY', KEYS[1], 'count', 1)
      else
        resetAt = ARGV[2]
        count = 1
        redis.call('HSET', KEYS[1], 'count', 1, 'resetAt', resetAt)
      end
      redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil(tonumber(resetAt) - now + tonumber(ARGV[3]))))
      return {count, resetAt}`,
  },
  /**
   * KEYS: counter. ARGV: now. Takes one failure back from a live window, never below 0; a
   * closed or missing window stays as it is (HINCRBY would otherwise make a hash of it).
   */
  idleSessionTakeBackFailure: {
    numberOfKeys: 1,
    lua: `
      local fields = redis.call('HMGET', KEYS[1], 'count', 'resetAt')
      local count, resetAt = tonumber(fields[1]), tonumber(fields[2])
      if not count or not resetAt or resetAt <= tonumber(ARGV[1]) or count <= 0 then return 0 end
      return redis.call('HINCRBY', KEYS[1], 'count', -1)`,
  },
} as const;

type ScriptName = keyof typeof scripts;
type ScriptArg = string | number;
type RedisWithScripts = Redis & Record<ScriptName, (...args: ScriptArg[]) => Promise<unknown>>;

/** A duration for PEXPIRE: at least 1 ms (0 or less would be an error, or delete the key). */
function ttl(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

/** A hash from its flat HGETALL reply inside a script: [field, value, field, value, ...]. */
function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  return fields;
}

/** The replies of a pipeline; throws the first command's error, if any. */
function throwFirstError(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('Redis discarded the transaction');
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
  return results.map(([, reply]) => reply);
}

/** The URL for messages, without a password. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

function toRecord(idHash: string, fields: Record<string, string>): SessionRecord | undefined {
  const createdAt = Number(fields.createdAt);
  const lastActivityAt = Number(fields.lastActivityAt);
  const { username, publicId, browser } = fields;
  if (
    typeof username !== 'string' ||
    typeof publicId !== 'string' ||
    typeof browser !== 'string' ||
    !Number.isFinite(createdAt) ||
    !Number.isFinite(lastActivityAt)
  ) {
    return undefined; // missing (empty hash), or not written by this version of the store
  }
  const reauthenticatedAt = Number(fields.reauthenticatedAt);
  return {
    idHash,
    username,
    createdAt,
    lastActivityAt,
    publicId,
    browser,
    ...(fields.revoked ? { revoked: true } : {}),
    ...(fields.revoked === 'operator' ? { revokedBy: 'operator' } : {}),
    ...(fields.reauthenticatedAt !== undefined && Number.isFinite(reauthenticatedAt) ? { reauthenticatedAt } : {}),
  };
}

/**
 * Connects to Redis at `url` (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS).
 * Rejects, naming REDIS_URL, when Redis cannot be reached now: a server that starts without its
 * store would only fail later, one request at a time.
 */
export async function createRedisStore(url: string): Promise<Store> {
  if (!/^rediss?:\/\//i.test(url)) {
    throw new Error(`REDIS_URL must be a redis:// or rediss:// URL, got "${describeUrl(url)}"`);
  }

  let lastError: Error | undefined;
  const client = new Redis(url, {
    lazyConnect: true,
    scripts,
    // Commands issued in the same turn of the event loop (heartbeats of many users) go out in
    // one write and come back in one read.
    enableAutoPipelining: true,
    // A down Redis makes commands fail at once (the app answers 503 store_unavailable, decision
    // 018) instead of queueing requests until it returns; a hung one (SIGSTOP, a lost host) fails
    // them after storeTimeoutMs. Either way no request waits longer, and the next one tries again.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    commandTimeout: storeTimeoutMs,
    // Reconnect quickly after Redis restarts; the default backoff waits up to 5 s.
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  }) as RedisWithScripts;
  // Without a listener ioredis prints every reconnection error; the store reports through
  // ping() (/api/health) and the errors of the commands that fail.
  client.on('error', (error: Error) => {
    lastError = error;
  });

  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const reason = (lastError ?? (error as Error)).message || String(error);
    throw new Error(`Cannot connect to Redis at REDIS_URL=${describeUrl(url)}: ${reason}`, { cause: error });
  }

  const revokeOne = (idHash: string, username: string, now: number, by: '1' | 'operator') =>
    client.idleSessionRevoke(sessionKey(idHash), userKey(username), revokedIndexKey, idHash, username, now, by);

  const store: Store = {
    ...createRedisNotes(client),
    async create(record, expiresAt) {
      // The record's lastActivityAt is the app's "now" at sign-in, so this TTL is expiresAt - now.
      await client.idleSessionCreate(
        sessionKey(record.idHash),
        expiryIndexKey,
        userKey(record.username),
        record.idHash,
        record.username,
        record.createdAt,
        record.lastActivityAt,
        expiresAt,
        ttl(expiresAt - record.lastActivityAt),
        record.publicId,
        record.browser,
      );
    },

    async get(idHash) {
      return toRecord(idHash, await client.hgetall(sessionKey(idHash)));
    },

    async extend(idHash, activityAt, now, limits) {
      const extended = (await client.idleSessionExtend(
        sessionKey(idHash),
        expiryIndexKey,
        idHash,
        activityAt,
        now,
        limits.idleTimeoutMs,
        limits.absoluteTimeoutMs,
      )) as string[] | null;
      return extended === null ? undefined : toRecord(idHash, fieldsOf(extended));
    },

    async delete(idHash) {
      const username = await client.hget(sessionKey(idHash), 'username');
      // Gone already (Redis expired it): purgeExpired drops its index entries.
      if (username === null) return;
      await client.idleSessionDelete(sessionKey(idHash), expiryIndexKey, userKey(username), revokedIndexKey, idHash);
    },

    async listByUser(username, now) {
      const idHashes = await client.smembers(userKey(username));
      if (idHashes.length === 0) return [];
      const pipeline = client.pipeline();
      for (const idHash of idHashes) pipeline.hgetall(sessionKey(idHash));
      const hashes = throwFirstError(await pipeline.exec()) as Record<string, string>[];
      const live: SessionRecord[] = [];
      const gone: string[] = [];
      hashes.forEach((fields, i) => {
        const record = toRecord(idHashes[i], fields);
        if (!record) gone.push(idHashes[i]);
        else if (Number(fields.expiresAt) > now && !record.revoked) live.push(record);
      });
      // Hashes Redis expired on its own: an id hash is never reused, so dropping them is safe.
      if (gone.length > 0) await client.srem(userKey(username), ...gone);
      return live;
    },

    async revoke(username, idHash, now) {
      return (await revokeOne(idHash, username, now, '1')) === 1;
    },

    async listLive(now) {
      const members = await client.zrangebyscore(expiryIndexKey, `(${now}`, '+inf');
      const live: SessionRecord[] = [];
      for (let i = 0; i < members.length; i += batchSize) {
        const idHashes = members.slice(i, i + batchSize).map((member) => parseExpiryMember(member).idHash);
        const pipeline = client.pipeline();
        for (const idHash of idHashes) pipeline.hgetall(sessionKey(idHash));
        const hashes = throwFirstError(await pipeline.exec()) as Record<string, string>[];
        hashes.forEach((fields, j) => {
          const record = toRecord(idHashes[j], fields);
          if (record && !record.revoked && Number(fields.expiresAt) > now) live.push(record);
        });
      }
      return live;
    },

    async countLive(now, endingBy) {
      return Number(await client.idleSessionCountLive(expiryIndexKey, revokedIndexKey, now, endingBy ?? '+inf'));
    },

    async revokeAll(now, username) {
      const targets =
        username === undefined
          ? (await client.zrangebyscore(expiryIndexKey, `(${now}`, '+inf')).map(parseExpiryMember)
          : (await client.smembers(userKey(username))).map((idHash) => ({ idHash, username }));
      let ended = 0;
      for (let i = 0; i < targets.length; i += batchSize) {
        const results = await Promise.all(
          targets.slice(i, i + batchSize).map((target) => revokeOne(target.idHash, target.username, now, 'operator')),
        );
        ended += results.filter((revoked) => revoked === 1).length;
      }
      return ended;
    },

    async markReauthenticated(idHash, at) {
      return (await client.idleSessionMarkReauthenticated(sessionKey(idHash), at)) === 1;
    },

    async purgeExpired(now) {
      // Redis expires idle sessions by itself (at real time); this removes those whose expiresAt
      // has passed by the app's clock, and the index entries of sessions Redis already expired.
      const batch = 500;
      let purged = 0;
      for (;;) {
        const members = await client.zrangebyscore(expiryIndexKey, '-inf', now, 'LIMIT', 0, batch);
        if (members.length === 0) return purged;
        const results = await Promise.all(
          members.map((member) => {
            const { idHash, username } = parseExpiryMember(member);
            return client.idleSessionPurgeOne(
              sessionKey(idHash),
              expiryIndexKey,
              userKey(username),
              revokedIndexKey,
              idHash,
              now,
              member,
            );
          }),
        );
        purged += results.filter((deleted) => deleted === 1).length;
        if (members.length < batch) return purged;
      }
    },

    async getFailures(key, now) {
      const [count, resetAt] = await client.hmget(failureKey(key), 'count', 'resetAt');
      if (count === null || resetAt === null) return undefined;
      const counter: FailureCounter = { count: Number(count), resetAt: Number(resetAt) };
      return counter.resetAt > now ? counter : undefined;
    },

    async addFailure(key, now, windowMs) {
      const [count, resetAt] = (await client.idleSessionAddFailure(
        failureKey(key),
        now,
        now + windowMs,
        failureGcMarginMs,
      )) as [number, string];
      return { count: Number(count), resetAt: Number(resetAt) };
    },

    async clearFailures(key) {
      await client.del(failureKey(key));
    },

    async takeBackFailure(key, now) {
      await client.idleSessionTakeBackFailure(failureKey(key), now);
    },

    async saveDeviceToken(tokenHash, username, expiresAt, now) {
      // Valid by the stored expiresAt and the app's clock; the TTL (a duration) only collects
      // the garbage.
      const keep = ttl(expiresAt - now + failureGcMarginMs);
      const results = await client
        .multi()
        .hset(deviceTokenKey(tokenHash), 'username', username, 'expiresAt', expiresAt)
        .pexpire(deviceTokenKey(tokenHash), keep)
        .sadd(userDevicesKey(username), tokenHash)
        // Every token lives equally long, so the newest one's TTL covers the whole index.
        .pexpire(userDevicesKey(username), keep)
        .exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
    },

    async getDeviceToken(tokenHash, now) {
      const [username, expiresAt] = await client.hmget(deviceTokenKey(tokenHash), 'username', 'expiresAt');
      return username !== null && Number(expiresAt) > now ? username : undefined;
    },

    async deleteDeviceToken(tokenHash) {
      const username = await client.hget(deviceTokenKey(tokenHash), 'username');
      if (username === null) return;
      await client.idleSessionForgetDevice(deviceTokenKey(tokenHash), userDevicesKey(username), tokenHash, username);
    },

    async deleteDeviceTokensOfUser(username, keepHash) {
      const tokenHashes = (await client.smembers(userDevicesKey(username))).filter((hash) => hash !== keepHash);
      const forgotten = await Promise.all(
        tokenHashes.map((tokenHash) =>
          client.idleSessionForgetDevice(deviceTokenKey(tokenHash), userDevicesKey(username), tokenHash, username),
        ),
      );
      return forgotten.filter((done) => done === 1).length;
    },

    async ping() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Redis did not answer PING within ${pingTimeoutMs} ms`)),
          pingTimeoutMs,
        );
      });
      try {
        const reply = await Promise.race([client.ping(), timeout]);
        if (reply !== 'PONG') throw new Error(`Redis answered PING with ${String(reply)}`);
      } catch (error) {
        const detail =
          client.status === 'ready' ? '' : ` (connection ${client.status}${lastError ? `: ${lastError.message}` : ''})`;
        throw new Error(`Redis is unavailable: ${(error as Error).message}${detail}`, { cause: error });
      } finally {
        clearTimeout(timer);
      }
    },

    async close() {
      if (client.status === 'end') return;
      try {
        await client.quit();
      } catch {
        client.disconnect(); // Redis is down: nothing to wait for
      }
    },
  };
  return guardStore(store, isRedisUnavailable, { timeoutMs: storeTimeoutMs });
}
