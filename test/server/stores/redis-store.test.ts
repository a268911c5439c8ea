import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../../server/stores/open-store';
import { createRedisStore } from '../../../server/stores/redis';
import type { Store } from '../../../server/stores/store';
import { freePort } from '../../support/ephemeral-port';
import { startRedisServer } from '../../support/redis-server';
import { limits, newRecord, t0 } from './store-contract';

// Loud skip without redis-server; under CI=true startRedisServer throws and this file fails.
const redis = await startRedisServer();
afterAll(() => redis?.stop());

const idle = 60_000;
// Every key of one user's data under the user's hash tag (decision 025).
const sessionKey = (idHash: string, username = 'test') => `idle-session:{${username}}:session:${idHash}`;
const userKey = (username: string) => `idle-session:{${username}}:sessions`;
/** The hash (one of 4,096) that holds a session's username, field idHash. */
const ownerKey = (idHash: string) => `idle-session:owners:${idHash.slice(0, 2)}`;

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!redis)('Redis store', () => {
  let admin: Redis;
  const stores: Store[] = [];
  const open = async (url = redis!.url) => {
    const store = await createRedisStore(url);
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    admin = new Redis(redis!.url, { lazyConnect: true });
    await admin.connect();
    await admin.flushdb();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await admin.quit();
  });

  describe('key layout and expiry', () => {
    it("keeps a session as a hash under its user's hash tag, with a TTL of expiresAt - now", async () => {
      const store = await open();
      const record = newRecord(t0);
      await store.create(record, t0 + idle);
      expect(await admin.hgetall(sessionKey(record.idHash))).toEqual({
        username: 'test',
        createdAt: String(t0),
        lastActivityAt: String(t0),
        expiresAt: String(t0 + idle),
        publicId: record.publicId,
        browser: record.browser,
      });
      expect(await admin.zrange(userKey('test'), '0', '-1', 'WITHSCORES')).toEqual([record.idHash, String(t0 + idle)]);
      expect(await admin.hget(ownerKey(record.idHash), record.idHash)).toBe('test');
      // No key that every user writes: only the user's own keys and the owners hash.
      expect((await admin.keys('*')).sort()).toEqual(
        [sessionKey(record.idHash), userKey('test'), ownerKey(record.idHash)].sort(),
      );
      // The index and the owners have no TTL: purge drops what ended (below).
      expect(await admin.pttl(userKey('test'))).toBe(-1);
      const pttl = await admin.pttl(sessionKey(record.idHash));
      expect(pttl).toBeGreaterThan(idle - 1_000);
      expect(pttl).toBeLessThanOrEqual(idle);
    });

    it('an extend sets the TTL again from the new expiresAt', async () => {
      const store = await open();
      const record = newRecord(t0);
      // Near the absolute limit: expiresAt is closer than the idle timeout.
      await store.create(record, t0 + 10_000);
      expect(await admin.pttl(sessionKey(record.idHash))).toBeLessThanOrEqual(10_000);
      expect(await store.extend(record.idHash, t0 + 5_000, t0 + 5_000, limits)).toBeDefined();
      const pttl = await admin.pttl(sessionKey(record.idHash));
      expect(pttl).toBeGreaterThan(idle - 1_000);
      expect(pttl).toBeLessThanOrEqual(idle);
    });

    it('the TTL is a duration: it does not depend on how far the app clock is from Redis time', async () => {
      const store = await open();
      const past = newRecord(Date.UTC(2001, 0, 1));
      const future = newRecord(Date.UTC(2099, 0, 1));
      await store.create(past, past.createdAt + idle);
      await store.create(future, future.createdAt + idle);
      for (const record of [past, future]) {
        expect(await admin.pttl(sessionKey(record.idHash))).toBeGreaterThan(idle - 1_000);
      }
    });

    it('Redis expires an idle session on its own; an extend afterwards fails and creates nothing', async () => {
      const store = await open();
      const record = newRecord(t0);
      await store.create(record, t0 + 50);
      await eventually(async () => (await store.get(record.idHash)) === undefined);
      expect(await store.extend(record.idHash, t0 + 40, t0 + 40, limits)).toBeUndefined();
      expect(await admin.exists(sessionKey(record.idHash))).toBe(0);
      // purgeExpired cleans the index entry of the session Redis expired, and counts only what it deleted.
      expect(await store.purgeExpired(t0 + 100)).toBe(0);
      // Nothing is left: not the index entry, not the owner.
      expect(await admin.dbsize()).toBe(0);
    });

    it('delete removes the key and its index entry', async () => {
      const store = await open();
      const record = newRecord(t0);
      await store.create(record, t0 + idle);
      await store.delete(record.idHash);
      expect(await admin.dbsize()).toBe(0);
    });

    it('the user index drops what Redis expired, when listed or purged: no stale entries, no growth', async () => {
      const store = await open();
      const staying = newRecord(t0, 'alice');
      await store.create(staying, t0 + idle);
      const short = Array.from({ length: 5 }, () => newRecord(t0, 'alice'));
      for (const record of short) await store.create(record, t0 + 50);
      await eventually(
        async () => (await admin.exists(...short.map((record) => sessionKey(record.idHash, 'alice')))) === 0,
      );
      // Listed at a "now" when they would still be live by the app's clock: Redis dropped them, so are they.
      expect(await store.listByUser('alice', t0 + 10)).toEqual([staying]);
      expect(await admin.zrange(userKey('alice'), '0', '-1')).toEqual([staying.idHash]);

      const unlisted = newRecord(t0, 'bob');
      await store.create(unlisted, t0 + 50);
      await eventually(async () => (await admin.exists(sessionKey(unlisted.idHash, 'bob'))) === 0);
      expect(await store.purgeExpired(t0 + 100)).toBe(0);
      expect(await admin.exists(userKey('bob'))).toBe(0);
      expect(await admin.zcard(userKey('alice'))).toBe(1);
    });

    it('revoke keeps the hash (to answer session_revoked) but takes it out of the user index', async () => {
      const store = await open();
      const record = newRecord(t0, 'alice');
      await store.create(record, t0 + idle);
      expect(await store.revoke('alice', record.idHash, t0)).toBe(true);
      expect(await admin.hget(sessionKey(record.idHash, 'alice'), 'revoked')).toBe('1');
      expect(await admin.exists(userKey('alice'))).toBe(0);
      expect(await admin.zscore('idle-session:{alice}:revoked', record.idHash)).toBe(String(t0 + idle));
      expect(await store.purgeExpired(t0 + idle)).toBe(1);
      expect(await admin.dbsize()).toBe(0);
    });

    it('a failure counter is a hash with a TTL that covers its window', async () => {
      const store = await open();
      await store.addFailure('user:alice', t0, 300_000);
      expect(await admin.hgetall('idle-session:failures:user:alice')).toEqual({
        count: '1',
        resetAt: String(t0 + 300_000),
      });
      expect(await admin.pttl('idle-session:failures:user:alice')).toBeGreaterThan(300_000);
    });

    it('keeps a note’s summary apart from its text, so listing reads no text', async () => {
      const store = await open();
      const note = { id: 'a'.repeat(32), title: 'T', text: 'x'.repeat(20_000), revision: 1, updatedAt: t0 };
      await store.insertNote('ann', note, 200);
      await store.updateNote('ann', note.id, 1, { title: 'T2', text: 'y'.repeat(20_000), updatedAt: t0 + 1 });

      expect(JSON.parse((await admin.hget('idle-session:{ann}:notes', note.id))!)).toEqual({
        id: note.id,
        title: 'T2',
        revision: 2,
        updatedAt: t0 + 1,
      });
      expect(await admin.hget('idle-session:{ann}:note-texts', note.id)).toBe('y'.repeat(20_000));
      await store.deleteNote('ann', note.id);
      expect(await admin.exists('idle-session:{ann}:notes', 'idle-session:{ann}:note-texts')).toBe(0);
    });

    it('reads a note stored before texts were kept apart (text inside its JSON)', async () => {
      const store = await open();
      const note = { id: 'b'.repeat(32), title: 'Old', text: 'old text', revision: 1, updatedAt: t0 };
      await admin.hset('idle-session:{ann}:notes', note.id, JSON.stringify(note));

      expect(await store.listNotes('ann')).toEqual([{ id: note.id, title: 'Old', revision: 1, updatedAt: t0 }]);
      expect(await store.getNote('ann', note.id)).toEqual(note);
      expect(await store.updateNote('ann', note.id, 5, { title: 'x', text: 'y', updatedAt: t0 })).toEqual({
        status: 'conflict',
        current: note,
      });
    });

    it('purges more sessions than one batch', async () => {
      const store = await open();
      await Promise.all(Array.from({ length: 1_200 }, () => store.create(newRecord(t0), t0 + idle)));
      const staying = newRecord(t0);
      await store.create(staying, t0 + 2 * idle);
      expect(await store.purgeExpired(t0 + idle)).toBe(1_200);
      expect(await admin.dbsize()).toBe(3); // the staying session, the owners hash holding it and the user index
      expect(await admin.zcard(userKey('test'))).toBe(1);
    });
  });

  describe('a transaction Redis discarded (EXEC answered null)', () => {
    // What EXEC answers when a WATCHed key changed or the connection reset the transaction:
    // nothing was written, so the store must not report success (issue 24).
    const discardEveryTransaction = () =>
      vi.spyOn(Redis.prototype, 'multi').mockImplementation(function discarded() {
        const chain: object = new Proxy(
          {},
          { get: (_, name) => (name === 'exec' ? () => Promise.resolve(null) : () => chain) },
        );
        return chain as ReturnType<Redis['multi']>;
      });
    afterEach(() => vi.restoreAllMocks());

    it('fails saving a device token', async () => {
      const store = await open();
      discardEveryTransaction();
      await expect(store.saveDeviceToken('token-hash', 'alice', t0 + idle, t0)).rejects.toThrow(/discarded/);
    });

    it('fails deleting a note', async () => {
      const store = await open();
      discardEveryTransaction();
      await expect(store.deleteNote('alice', 'a'.repeat(32))).rejects.toThrow(/discarded/);
    });
  });

  describe('many instances on one Redis', () => {
    it('see the same sessions: created on one, read, touched and deleted on another', async () => {
      const [a, b] = [await open(), await open()];
      const record = newRecord(t0);
      await a.create(record, t0 + idle);
      expect(await b.get(record.idHash)).toEqual(record);
      expect(await b.extend(record.idHash, t0 + 5_000, t0 + 5_000, limits)).toBeDefined();
      expect((await a.get(record.idHash))?.lastActivityAt).toBe(t0 + 5_000);
      await b.delete(record.idHash);
      expect(await a.get(record.idHash)).toBeUndefined();
      expect(await a.extend(record.idHash, t0 + 6_000, t0 + 6_000, limits)).toBeUndefined();
      expect(await b.get(record.idHash)).toBeUndefined();
    });

    it('a heartbeat answers the whole record, on an instance that knows the session and on one that does not', async () => {
      // b reads the whole record once (a full answer), then only what a heartbeat changes.
      const [a, b] = [await open(), await open()];
      const record = newRecord(t0);
      await a.create(record, t0 + idle);
      for (const [store, activityAt, lastActivityAt] of [
        [b, 1_000, 1_000],
        [b, 2_000, 2_000],
        [a, 3_000, 3_000],
        [b, 2_500, 3_000], // older activity: nothing written, the stored time answered
      ] as const) {
        expect(await store.extend(record.idHash, t0 + activityAt, t0 + 3_000, limits)).toEqual({
          ...record,
          lastActivityAt: t0 + lastActivityAt,
        });
      }
      expect(await a.markReauthenticated(record.idHash, t0 + 4_000)).toBe(true);
      const reauthenticated = { ...record, reauthenticatedAt: t0 + 4_000 };
      expect(await b.extend(record.idHash, t0 + 5_000, t0 + 5_000, limits)).toEqual({
        ...reauthenticated,
        lastActivityAt: t0 + 5_000,
      });
      const c = await open(); // knows nothing yet: the full answer carries the recent sign-in too
      expect(await c.extend(record.idHash, t0 + 6_000, t0 + 6_000, limits)).toEqual({
        ...reauthenticated,
        lastActivityAt: t0 + 6_000,
      });
      await a.revoke(record.username, record.idHash, t0 + 7_000);
      for (const store of [a, b, c])
        expect(await store.extend(record.idHash, t0 + 8_000, t0 + 8_000, limits)).toBeUndefined();
    });

    it('share failure counters, and lose no count when instances add at once', async () => {
      const [a, b] = [await open(), await open()];
      await a.addFailure('user:alice', t0, 300_000);
      expect(await b.addFailure('user:alice', t0 + 1, 300_000)).toEqual({ count: 2, resetAt: t0 + 300_000 });
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).addFailure('user:alice', t0 + 2, 300_000)),
      );
      expect(await a.getFailures('user:alice', t0 + 3)).toEqual({ count: 22, resetAt: t0 + 300_000 });
      await b.clearFailures('user:alice');
      expect(await a.getFailures('user:alice', t0 + 3)).toBeUndefined();
    });

    it('a heartbeat racing a sign-out on another instance never brings the session back', async () => {
      const [a, b] = [await open(), await open()];
      for (let round = 0; round < 50; round++) {
        const record = newRecord(t0);
        await a.create(record, t0 + idle);
        await Promise.all([b.delete(record.idHash), a.extend(record.idHash, t0 + 1, t0 + 1, limits)]);
        expect(await a.get(record.idHash)).toBeUndefined();
      }
      expect(await admin.keys('idle-session:{test}:session:*')).toEqual([]);
    });
  });

  describe('connection', () => {
    it('opens through openStore with SESSION_STORE=redis', async () => {
      const store = await openStore({ store: 'redis', databasePath: 'unused', redisUrl: redis!.url });
      stores.push(store);
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('rejects at start, naming REDIS_URL, when nothing listens there', async () => {
      const port = await freePort();
      const started = Date.now();
      await expect(createRedisStore(`redis://127.0.0.1:${port}`)).rejects.toThrow(
        new RegExp(`Cannot connect to Redis at REDIS_URL=redis://127.0.0.1:${port}.*ECONNREFUSED`),
      );
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('rejects a URL that is not redis:// or rediss://, naming REDIS_URL and hiding the password', async () => {
      await expect(createRedisStore('http://user:hunter2@127.0.0.1:6379')).rejects.toThrow(
        /REDIS_URL must be a redis:\/\//,
      );
      await expect(createRedisStore('http://user:hunter2@127.0.0.1:6379')).rejects.not.toThrow(/hunter2/);
      await expect(createRedisStore('localhost:6379')).rejects.toThrow(/REDIS_URL/);
    });

    it('hides the password when it cannot connect', async () => {
      const port = await freePort();
      const error = await createRedisStore(`redis://:hunter2@127.0.0.1:${port}`).catch((e: Error) => e);
      expect(String(error)).toMatch(/REDIS_URL=redis:\/\/:\*\*\*@127\.0\.0\.1/);
      expect(String(error)).not.toMatch(/hunter2/);
    });

    it('ping rejects quickly once Redis is down, and recovers when it is back', async () => {
      const own = (await startRedisServer())!;
      try {
        const store = await open(own.url);
        await expect(store.ping()).resolves.toBeUndefined();
        await own.stop();
        const started = Date.now();
        await expect(store.ping()).rejects.toThrow(/Redis is unavailable/);
        expect(Date.now() - started).toBeLessThan(1_000);
        // Commands fail too (the app answers 5xx), rather than queueing until Redis returns.
        await expect(store.get('anything')).rejects.toThrow();

        const again = (await startRedisServer({ port: own.port }))!;
        try {
          await eventually(
            () =>
              store.ping().then(
                () => true,
                () => false,
              ),
            10_000,
          );
        } finally {
          await again.stop();
        }
      } finally {
        await own.stop();
      }
    });

    it('close is idempotent, and ping rejects after it', async () => {
      const store = await open();
      await store.close();
      await store.close();
      await expect(store.ping()).rejects.toThrow(/Redis is unavailable/);
    });
  });
});
