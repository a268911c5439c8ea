import { Cluster, Redis, ReplyError, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { SessionRecord } from '../session/expiry';
import {
  defineScripts,
  everyUser,
  forEachKey,
  gcMarginMs,
  prefix,
  sumOverKeys,
  throwFirstError,
  ttl,
  userPrefix,
  type RedisClient,
} from './redis-common';
import { createRedisNotes } from './redis-notes';
import type { FailureCounter, Store } from './store';
import { guardStore, storeTimeoutMs } from './unavailable';

/**
 * The store for many server instances behind a load balancer: every instance sees the same
 * sessions and the same login-failure counters. One key layout runs on a single Redis and on a
 * Redis Cluster (decision 025): every key of one user's data carries the user's hash tag
 * (`idle-session:{<username>}:`, redis-common.ts), so each script touches one slot, and no key is
 * written by every user.
 *
 * - `idle-session:{<username>}:session:<idHash>`: hash {username, createdAt, lastActivityAt,
 *   expiresAt, publicId, browser, revoked (only once revoked), reauthenticatedAt (only once the
 *   password was entered again in it)}; TTL expiresAt - now (extended by each heartbeat)
 * - `idle-session:{<username>}:sessions`: sorted set, member idHash, score expiresAt: the user's
 *   live (not revoked) sessions, for listing, counting and purging. No TTL: purge drops the
 *   entries of sessions that ended (also those Redis expired) and their owners, and Redis
 *   deletes the set with its last member
 * - `idle-session:{<username>}:revoked`: sorted set like it, of the user's revoked sessions not
 *   yet purged (so counting live ones never reads a hash)
 * - `idle-session:owners:<first two characters of idHash>`: hash, field idHash, value the
 *   session's username, so that a request that knows only the cookie finds the user's slot. 4,096
 *   small hashes instead of a key per session (a key costs about 200 bytes, a field in a small
 *   hash about 60), spread over the slots and written only at sign-in and when a session goes
 *   (delete, purge), never by a heartbeat. A username never changes, so each instance keeps what
 *   it read in memory and a heartbeat is one script, one round trip. No TTL: every way a session
 *   leaves the user's index also drops its field
 * - `idle-session:failures:<key>`: hash {count, resetAt}; one key per counter, changed by
 *   single-key scripts
 * - `idle-session:device:<tokenHash>`: string `<expiresAt>:<username>`
 * - `idle-session:{<username>}:devices`: sorted set of the hashes of the user's device tokens,
 *   score expiresAt (for forgetting them all; a sorted set because Redis 7.0 keeps a small one as
 *   a listpack, a set of strings as a hash table); its TTL follows the newest token's
 * - notes and drafts: see redis-notes.ts
 *
 * The app's clock decides validity (it may be a test clock far from Redis's own time): a session
 * is valid by its record, a failure window by its stored `resetAt` compared with the `now` the
 * app passes. Redis expiry is garbage collection, set as a TTL (a duration, so it does not care
 * which clock the app uses), never as an absolute Redis time. Purges walk every primary with SCAN.
 */

const sessionKey = (username: string, idHash: string) => `${userPrefix(username)}session:${idHash}`;
const indexKey = (username: string) => `${userPrefix(username)}sessions`;
const revokedKey = (username: string) => `${userPrefix(username)}revoked`;
/** One of 4,096 hashes (by the id hash's first two characters) holding the owners of sessions. */
const ownerKey = (idHash: string) => `${prefix}owners:${idHash.slice(0, 2)}`;
const failureKey = (key: string) => `${prefix}failures:${key}`;
const deviceTokenKey = (tokenHash: string) => `${prefix}device:${tokenHash}`;
/** A device token's value, `<expiresAt>:<username>` (a string costs less than a hash); undefined when missing. */
function parseDeviceToken(value: string | null): { expiresAt: number; username: string } | undefined {
  const at = value?.indexOf(':') ?? -1;
  return value && at > 0 ? { expiresAt: Number(value.slice(0, at)), username: value.slice(at + 1) } : undefined;
}
const userDevicesKey = (username: string) => `${userPrefix(username)}devices`;
/** The user's prefix back from one of their index keys (`...{name}:sessions` less `sessions`). */
const prefixOfIndex = (key: string) => key.slice(0, key.length - 'sessions'.length);

/**
 * How many sessions each instance keeps what never changes of in memory (owner, creation time,
 * public id, browser: about 250 bytes each, so at most about 25 MB).
 */
const knownSessionsCacheSize = 100_000;

/** What never changes about a session: its owner, and once a whole record was read, the rest. */
type KnownSession = { username: string } & Partial<Pick<SessionRecord, 'createdAt' | 'publicId' | 'browser'>>;

const pickKnown = ({ username, createdAt, publicId, browser }: SessionRecord): KnownSession => ({
  username,
  createdAt,
  publicId,
  browser,
});

/**
 * The record after a heartbeat's short answer (`<lastActivityAt>[:<reauthenticatedAt>]`, see
 * idleSessionExtend), from what never changes and that answer.
 */
function changedSince(session: KnownSession, idHash: string, answer: string): SessionRecord | undefined {
  const at = answer.indexOf(':');
  const fields: Record<string, string> = { username: session.username };
  if (session.createdAt !== undefined) fields.createdAt = String(session.createdAt);
  if (session.publicId !== undefined) fields.publicId = session.publicId;
  if (session.browser !== undefined) fields.browser = session.browser;
  fields.lastActivityAt = at < 0 ? answer : answer.slice(0, at);
  if (at >= 0) fields.reauthenticatedAt = answer.slice(at + 1);
  return toRecord(idHash, fields);
}
/** How long one store operation waits before calling the store down; also the PING limit. */
const pingTimeoutMs = storeTimeoutMs;

/**
 * Redis replies that mean "not now" rather than "wrong": loading its data after a restart, a
 * script running too long, a failed save that stops writes, a replica, a failover (and a MOVED or
 * ASK the cluster client could not follow: its map of the slots is being refreshed).
 */
const unavailableReplies = /^(LOADING|BUSY|MISCONF|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|MOVED|ASK)\b/;

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

// All the scripts name every key they touch in KEYS, all in one user's slot, and are atomic: no
// other client's command runs between their reads and writes.
const scripts = {
  /**
   * KEYS: session, index. ARGV: idHash, username, createdAt, lastActivityAt, expiresAt, ttlMs,
   * publicId, browser.
   */
  idleSessionCreate: {
    numberOfKeys: 2,
    lua: `
      redis.call('DEL', KEYS[1])
      redis.call('HSET', KEYS[1], 'username', ARGV[2], 'createdAt', ARGV[3], 'lastActivityAt', ARGV[4],
        'expiresAt', ARGV[5], 'publicId', ARGV[7], 'browser', ARGV[8])
      redis.call('PEXPIRE', KEYS[1], ARGV[6])
      redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
      return 1`,
  },
  /** KEYS: session, index, revoked index. ARGV: idHash. Deletes the session and its index entries. */
  idleSessionDelete: {
    numberOfKeys: 3,
    lua: `
      redis.call('DEL', KEYS[1])
      redis.call('ZREM', KEYS[2], ARGV[1])
      redis.call('ZREM', KEYS[3], ARGV[1])
      return 1`,
  },
  /**
   * KEYS: session, index, revoked index. ARGV: idHash, username, now, who ('1': its user,
   * 'operator'). Marks a live session of this user revoked and moves it from the index to the
   * revoked index; it keeps its TTL (purge deletes it). Returns 1 when it did, 0 for anyone
   * else's session, a revoked or an expired one.
   */
  idleSessionRevoke: {
    numberOfKeys: 3,
    lua: `
      local fields = redis.call('HMGET', KEYS[1], 'username', 'expiresAt', 'revoked')
      if fields[1] ~= ARGV[2] or fields[3] or not tonumber(fields[2]) then return 0 end
      if tonumber(fields[2]) <= tonumber(ARGV[3]) then return 0 end
      redis.call('HSET', KEYS[1], 'revoked', ARGV[4])
      redis.call('ZREM', KEYS[2], ARGV[1])
      redis.call('ZADD', KEYS[3], fields[2], ARGV[1])
      return 1`,
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
   * KEYS: device token. ARGV: username. Forgets the token if it is that user's (the user's index
   * may hold a hash since reissued to no one). Returns 1 when a token was forgotten.
   */
  idleSessionForgetDevice: {
    numberOfKeys: 1,
    lua: `
      local token = redis.call('GET', KEYS[1])
      if not token then return 0 end
      local at = string.find(token, ':', 1, true)
      if not at or string.sub(token, at + 1) ~= ARGV[1] then return 0 end
      redis.call('DEL', KEYS[1])
      return 1`,
  },
  /**
   * extendedRecord (session/expiry.ts) in one script, so a heartbeat is one round trip.
   * KEYS: session, index. ARGV: idHash, activityAt, now, idleTimeoutMs, absoluteTimeoutMs, full.
   * Returns, with `full` = 1, the session's fields in `extendedFields` order (reauthenticatedAt
   * nil when unset); with `full` = 0 (the caller knows the fields that never change) only what a
   * heartbeat can change, as one string: `<lastActivityAt>` or `<lastActivityAt>:<reauthenticatedAt>`
   * (a reply of six strings cost the server about 3 µs more to read than one). Returns
   * nil and writes nothing when the session is gone, revoked or expired: a heartbeat racing a
   * sign-out (or Redis's own expiry) must not bring the session back as a hash holding only the
   * new fields. Writes only when the activity is newer than the stored one (a tab reporting no
   * new input changes nothing), and reads the hash once: what the answer needs, and no more (a
   * heartbeat is the request every signed-in tab sends; issue 22).
   */
  idleSessionExtend: {
    numberOfKeys: 2,
    lua: `
      local f = redis.call('HMGET', KEYS[1], 'username', 'createdAt', 'lastActivityAt', 'publicId', 'browser',
        'reauthenticatedAt', 'revoked')
      local createdAt, lastActivityAt = tonumber(f[2]), tonumber(f[3])
      if not f[1] or not createdAt or not lastActivityAt or f[7] then return nil end
      local activityAt, now = tonumber(ARGV[2]), tonumber(ARGV[3])
      local idle, absolute = tonumber(ARGV[4]), tonumber(ARGV[5])
      if now >= math.min(lastActivityAt + idle, createdAt + absolute) then return nil end
      if activityAt > lastActivityAt then
        local expiresAt = math.min(activityAt + idle, createdAt + absolute)
        local expires = string.format('%.0f', expiresAt)
        f[3] = string.format('%.0f', activityAt)
        redis.call('HSET', KEYS[1], 'lastActivityAt', f[3], 'expiresAt', expires)
        redis.call('PEXPIRE', KEYS[1], string.format('%.0f', math.max(1, expiresAt - now)))
        redis.call('ZADD', KEYS[2], expires, ARGV[1])
      end
      if ARGV[6] == '1' then return {f[1], f[2], f[3], f[4], f[5], f[6]} end
      if f[6] then return f[3] .. ':' .. f[6] end
      return f[3]`,
  },
  /**
   * KEYS: index, revoked index, then the session of each id hash in ARGV. ARGV: now, then the id
   * hashes the caller found due in the indexes. Deletes each session whose expiresAt has passed
   * and drops the index entries of those that are gone; one touched since the caller read the
   * index keeps its new (later) score. Returns the id hashes it dropped, and first how many
   * sessions it deleted.
   */
  // The number of keys comes first in each call.
  idleSessionPurgeUser: {
    lua: `
      local now, deleted, dropped = tonumber(ARGV[1]), 0, {}
      for i = 2, #ARGV do
        local key = KEYS[i + 1]
        local expiresAt = redis.call('HGET', key, 'expiresAt')
        if not expiresAt or tonumber(expiresAt) <= now then
          redis.call('ZREM', KEYS[1], ARGV[i])
          redis.call('ZREM', KEYS[2], ARGV[i])
          if expiresAt then
            redis.call('DEL', key)
            deleted = deleted + 1
          end
          dropped[#dropped + 1] = ARGV[i]
        end
      end
      table.insert(dropped, 1, deleted)
      return dropped`,
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
};

/** The fields idleSessionExtend answers with, in its order. */
const extendedFields = ['username', 'createdAt', 'lastActivityAt', 'publicId', 'browser', 'reauthenticatedAt'];

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

/** Where and how to connect; see createRedisStore. */
export interface RedisStoreOptions {
  /** REDIS_CLUSTER: `url` is a seed node of a Redis Cluster (ioredis `Cluster`), not the one server. */
  cluster?: boolean;
}

/** The options both clients share: fail fast when Redis is down, never queue requests (decision 018). */
const commandOptions = {
  // A down Redis makes commands fail at once (the app answers 503 store_unavailable) instead of
  // queueing requests until it returns; a hung one (SIGSTOP, a lost host) fails them after
  // storeTimeoutMs. Either way no request waits longer, and the next one tries again.
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
  commandTimeout: storeTimeoutMs,
} satisfies RedisOptions;

function connectOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    ...commandOptions,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function newClient(url: string, cluster: boolean): RedisClient {
  if (!cluster) {
    return new Redis(url, {
      ...commandOptions,
      lazyConnect: true,
      // Commands issued in the same turn of the event loop (heartbeats of many users) go out in
      // one write and come back in one read.
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      // Reconnect quickly after Redis restarts; the default backoff waits up to 5 s.
      retryStrategy: (times) => Math.min(times * 100, 2_000),
    });
  }
  const seed = new URL(url);
  const options: ClusterOptions = {
    lazyConnect: true,
    // Not auto-pipelined: ioredis does not follow a MOVED inside a pipeline whose other replies
    // succeeded, so after a failover such commands would fail until the next slot refresh.
    enableAutoPipelining: false,
    // Until the client knows the slots it has nothing to send to; after, a command for a primary
    // that is down fails (503) instead of waiting in a queue.
    enableOfflineQueue: true,
    // Reads go to primaries: a replica may lag, and a session read must see the last heartbeat.
    scaleReads: 'master',
    // CLUSTERDOWN and TRYAGAIN during a failover: ioredis retries after these delays, and the
    // store's own limit (storeTimeoutMs) answers 503 if the failover takes longer.
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    retryDelayOnFailover: 100,
    slotsRefreshTimeout: 2_000,
    clusterRetryStrategy: (times) => Math.min(times * 100, 2_000),
    redisOptions: connectOptions(url),
  };
  return new Cluster([{ host: seed.hostname, port: Number(seed.port) || 6379 }], options);
}

/**
 * Connects to Redis at `url` (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS; with
 * `cluster`, one seed node of the cluster). Rejects, naming REDIS_URL, when Redis cannot be
 * reached now: a server that starts without its store would only fail later, one request at a time.
 */
export async function createRedisStore(url: string, options: RedisStoreOptions = {}): Promise<Store> {
  if (!/^rediss?:\/\//i.test(url)) {
    throw new Error(`REDIS_URL must be a redis:// or rediss:// URL, got "${describeUrl(url)}"`);
  }

  let lastError: Error | undefined;
  const client = defineScripts(newClient(url, options.cluster ?? false), scripts);
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
    const what = options.cluster ? 'the Redis Cluster' : 'Redis';
    throw new Error(`Cannot connect to ${what} at REDIS_URL=${describeUrl(url)}: ${reason}`, { cause: error });
  }
  // Connected, the Cluster client knows the slots: from now on a command it cannot send (every
  // node down, the client reconnecting) fails at once (503) instead of waiting in a queue with no
  // bound, to run whenever the cluster is back (decision 028).
  if (client instanceof Cluster) client.options.enableOfflineQueue = false;

  // A session's username, creation time, public id and browser never change, so what one read
  // found stays true: an instance reads each session's owner at most once, and a heartbeat after
  // that is one script whose answer is only what a heartbeat changes.
  const known = new Map<string, KnownSession>();
  const remember = (idHash: string, session: KnownSession) => {
    if (known.size >= knownSessionsCacheSize && !known.has(idHash)) known.delete(known.keys().next().value!);
    known.set(idHash, session);
  };
  const rememberRecord = (record: SessionRecord | undefined) => {
    if (record) remember(record.idHash, pickKnown(record));
    return record;
  };
  const ownerOf = async (idHash: string): Promise<string | undefined> => {
    const session = known.get(idHash);
    if (session !== undefined) return session.username;
    const username = await client.hget(ownerKey(idHash), idHash);
    // A read that raced a whole record's (`get`, `extend`) keeps what that one found.
    if (username !== null && !known.has(idHash)) remember(idHash, { username });
    return username ?? undefined;
  };
  const forget = (idHash: string) => {
    known.delete(idHash);
    return client.hdel(ownerKey(idHash), idHash);
  };

  /** Reads sessions of one user in one pipeline (one slot); a missing one is undefined. */
  const readSessions = async (username: string, idHashes: string[]) => {
    const pipeline = client.pipeline();
    for (const idHash of idHashes) pipeline.hgetall(sessionKey(username, idHash));
    const hashes = throwFirstError(await pipeline.exec()) as Record<string, string>[];
    return hashes.map((fields, i) => ({ fields, record: toRecord(idHashes[i], fields) }));
  };

  const revokeOne = (idHash: string, username: string, now: number, by: '1' | 'operator') =>
    client.idleSessionRevoke(
      sessionKey(username, idHash),
      indexKey(username),
      revokedKey(username),
      idHash,
      username,
      now,
      by,
    );

  /** Every user with a session index: their usernames, read from a session hash of each. */
  const liveOfEveryUser = async (now: number, onUser: (username: string, live: SessionRecord[]) => Promise<void>) => {
    await forEachKey(client, everyUser('sessions'), async (keys) => {
      for (const key of keys) {
        const idHashes = await client.zrangebyscore(key, `(${now}`, '+inf');
        if (idHashes.length === 0) continue;
        const userPart = prefixOfIndex(key);
        const pipeline = client.pipeline();
        for (const idHash of idHashes) pipeline.hgetall(`${userPart}session:${idHash}`);
        const hashes = throwFirstError(await pipeline.exec()) as Record<string, string>[];
        const live: SessionRecord[] = [];
        hashes.forEach((fields, i) => {
          const record = toRecord(idHashes[i], fields);
          if (record && !record.revoked && Number(fields.expiresAt) > now) live.push(record);
        });
        if (live.length > 0) await onUser(live[0].username, live);
      }
    });
  };

  const store: Store = {
    ...createRedisNotes(client),
    async create(record, expiresAt) {
      const { idHash, username } = record;
      // The record's lastActivityAt is the app's "now" at sign-in, so this TTL is expiresAt - now.
      const keep = ttl(expiresAt - record.lastActivityAt);
      // The owner first: a session no instance could find would be a sign-in that failed.
      await client.hset(ownerKey(idHash), idHash, username);
      await client.idleSessionCreate(
        sessionKey(username, idHash),
        indexKey(username),
        idHash,
        username,
        record.createdAt,
        record.lastActivityAt,
        expiresAt,
        keep,
        record.publicId,
        record.browser,
      );
      rememberRecord(record);
    },

    async get(idHash) {
      const username = await ownerOf(idHash);
      if (username === undefined) return undefined;
      return rememberRecord(toRecord(idHash, await client.hgetall(sessionKey(username, idHash))));
    },

    async extend(idHash, activityAt, now, limits) {
      // Known: no await before the script (every heartbeat after an instance's first).
      const session = known.get(idHash);
      const username = session?.username ?? (await ownerOf(idHash));
      if (username === undefined) return undefined;
      const full = session?.createdAt === undefined;
      const extended = (await client.idleSessionExtend(
        sessionKey(username, idHash),
        indexKey(username),
        idHash,
        activityAt,
        now,
        limits.idleTimeoutMs,
        limits.absoluteTimeoutMs,
        full ? 1 : 0,
      )) as (string | null)[] | string | null;
      if (extended === null) return undefined;
      if (typeof extended === 'string') return changedSince(session!, idHash, extended);
      const fields: Record<string, string> = {};
      extendedFields.forEach((name, i) => {
        if (extended[i] !== null && extended[i] !== undefined) fields[name] = extended[i];
      });
      return rememberRecord(toRecord(idHash, fields));
    },

    async delete(idHash) {
      const username = await ownerOf(idHash);
      if (username === undefined) return;
      await client.idleSessionDelete(sessionKey(username, idHash), indexKey(username), revokedKey(username), idHash);
      await forget(idHash);
    },

    async listByUser(username, now) {
      const idHashes = await client.zrange(indexKey(username), '0', '-1');
      if (idHashes.length === 0) return [];
      const live: SessionRecord[] = [];
      const gone: string[] = [];
      for (const [i, { fields, record }] of (await readSessions(username, idHashes)).entries()) {
        if (!record) gone.push(idHashes[i]);
        else if (Number(fields.expiresAt) > now && !record.revoked) live.push(record);
      }
      // Hashes Redis expired on its own: an id hash is never reused, so dropping them is safe.
      if (gone.length > 0) {
        await client.zrem(indexKey(username), ...gone);
        await Promise.all(gone.map(forget));
      }
      return live;
    },

    async revoke(username, idHash, now) {
      return (await revokeOne(idHash, username, now, '1')) === 1;
    },

    async listLive(now) {
      const live: SessionRecord[] = [];
      await liveOfEveryUser(now, async (_, records) => void live.push(...records));
      return live;
    },

    async countLive(now, endingBy) {
      return sumOverKeys(client, everyUser('sessions'), async (key) =>
        Number(await client.zcount(key, `(${now}`, endingBy ?? '+inf')),
      );
    },

    async revokeAll(now, username) {
      let ended = 0;
      const revokeEach = async (name: string, idHashes: string[]) => {
        const results = await Promise.all(idHashes.map((idHash) => revokeOne(idHash, name, now, 'operator')));
        ended += results.filter((revoked) => revoked === 1).length;
      };
      if (username !== undefined) await revokeEach(username, await client.zrange(indexKey(username), '0', '-1'));
      else {
        await liveOfEveryUser(now, (name, records) =>
          revokeEach(
            name,
            records.map((record) => record.idHash),
          ),
        );
      }
      return ended;
    },

    async markReauthenticated(idHash, at) {
      const username = await ownerOf(idHash);
      if (username === undefined) return false;
      return (await client.idleSessionMarkReauthenticated(sessionKey(username, idHash), at)) === 1;
    },

    async purgeExpired(now) {
      // Redis expires idle sessions by itself (at real time); this removes those whose expiresAt
      // has passed by the app's clock, and the index entries of sessions Redis already expired:
      // user by user, each user's in one script on their slot.
      // A user whose sessions are all revoked has only the revoked index: both kinds are walked
      // (a user found in both is purged twice; the second finds nothing due).
      let purged = 0;
      const purgeUser = async (userPart: string) => {
        const [index, revoked] = [`${userPart}sessions`, `${userPart}revoked`];
        const [due, dueRevoked] = await Promise.all([
          client.zrangebyscore(index, '-inf', now),
          client.zrangebyscore(revoked, '-inf', now),
        ]);
        const idHashes = [...new Set([...due, ...dueRevoked])];
        if (idHashes.length === 0) return;
        const [deleted, ...dropped] = (await client.idleSessionPurgeUser(
          2 + idHashes.length,
          index,
          revoked,
          ...idHashes.map((idHash) => `${userPart}session:${idHash}`),
          now,
          ...idHashes,
        )) as [number, ...string[]];
        purged += Number(deleted);
        await Promise.all(dropped.map(forget));
      };
      for (const kind of ['sessions', 'revoked']) {
        await forEachKey(client, everyUser(kind), async (keys) => {
          await Promise.all(keys.map((key) => purgeUser(key.slice(0, key.length - kind.length))));
        });
      }
      return purged;
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
        gcMarginMs,
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
      // the garbage. The token and the user's index are in different slots: two transactions,
      // the token first (an index entry without its token is skipped when forgetting).
      const keep = ttl(expiresAt - now + gcMarginMs);
      await client.set(deviceTokenKey(tokenHash), `${expiresAt}:${username}`, 'PX', keep);
      throwFirstError(
        await client
          .multi()
          .zadd(userDevicesKey(username), expiresAt, tokenHash)
          // Every token lives equally long, so the newest one's TTL covers the whole index.
          .pexpire(userDevicesKey(username), keep)
          .exec(),
      );
    },

    async getDeviceToken(tokenHash, now) {
      const token = parseDeviceToken(await client.get(deviceTokenKey(tokenHash)));
      return token && token.expiresAt > now ? token.username : undefined;
    },

    async deleteDeviceToken(tokenHash) {
      const username = parseDeviceToken(await client.get(deviceTokenKey(tokenHash)))?.username;
      if (username === undefined) return;
      await client.idleSessionForgetDevice(deviceTokenKey(tokenHash), username);
      await client.zrem(userDevicesKey(username), tokenHash);
    },

    async deleteDeviceTokensOfUser(username, keepHash) {
      const tokenHashes = (await client.zrange(userDevicesKey(username), '0', '-1')).filter(
        (hash) => hash !== keepHash,
      );
      if (tokenHashes.length === 0) return 0;
      const forgotten = await Promise.all(
        tokenHashes.map((tokenHash) => client.idleSessionForgetDevice(deviceTokenKey(tokenHash), username)),
      );
      await client.zrem(userDevicesKey(username), ...tokenHashes);
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
