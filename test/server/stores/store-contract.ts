import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../../server/session/expiry';
import type { Store } from '../../../server/stores/store';

/** A fresh, empty store for one test. */
export type StoreFactory = () => Promise<Store>;

/** A test clock's "now": far from the real time, as a test clock may be. */
export const t0 = Date.UTC(2026, 0, 1, 9, 0, 0);

const idle = 60_000;
/** The limits a store extends a session under: 60 s idle, 8 h absolute. */
export const limits = { idleTimeoutMs: idle, absoluteTimeoutMs: 8 * 60 * 60_000 };
const window = 5 * 60_000;

let counter = 0;
/** A record as the app makes it at sign-in: createdAt = lastActivityAt = now. */
export function newRecord(now = t0, username = 'test'): SessionRecord {
  counter++;
  return {
    idHash: `hash-${counter}-${Math.random().toString(36).slice(2)}`,
    username,
    createdAt: now,
    lastActivityAt: now,
    publicId: `public-${counter}`,
    browser: 'Firefox on Linux',
  };
}

/**
 * What every SessionStore (the sessions part of a Store) must do, whichever implementation. Run with
 * `describeStoreContract('sqlite', factory)`; `skip` skips the whole suite (visibly).
 */
export function describeStoreContract(name: string, factory: StoreFactory, { skip = false } = {}) {
  describe.skipIf(skip)(`SessionStore contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('sessions', () => {
      it('gets what was created', async () => {
        const record = newRecord();
        await store.create(record, t0 + idle);
        expect(await store.get(record.idHash)).toEqual(record);
      });

      it('gets undefined for an unknown id hash', async () => {
        expect(await store.get('no-such-hash')).toBeUndefined();
      });

      it('keeps usernames exactly, including unicode and separators', async () => {
        const record = newRecord(t0, 'Zoë:user name\u00a0✓');
        await store.create(record, t0 + idle);
        expect((await store.get(record.idHash))?.username).toBe('Zoë:user name\u00a0✓');
      });

      it('returns copies: changing a returned or created record changes nothing stored', async () => {
        const record = newRecord();
        await store.create(record, t0 + idle);
        const created = { ...record };
        record.lastActivityAt = 1;
        record.username = 'changed';
        const first = (await store.get(record.idHash))!;
        expect(first).toEqual(created);
        first.lastActivityAt = 2;
        first.username = 'changed again';
        expect(await store.get(record.idHash)).toEqual(created);
      });

      it('extend moves lastActivityAt, keeps the rest, and returns the record as it now is', async () => {
        const record = newRecord();
        await store.create(record, t0 + idle);
        const extended = { ...record, lastActivityAt: t0 + 20_000 };
        expect(await store.extend(record.idHash, t0 + 20_000, t0 + 25_000, limits)).toEqual(extended);
        expect(await store.get(record.idHash)).toEqual(extended);
      });

      it('extend never moves activity backwards', async () => {
        const record = newRecord();
        await store.create(record, t0 + idle);
        await store.extend(record.idHash, t0 + 20_000, t0 + 20_000, limits);
        expect((await store.extend(record.idHash, t0 + 10_000, t0 + 30_000, limits))?.lastActivityAt).toBe(t0 + 20_000);
        expect((await store.get(record.idHash))?.lastActivityAt).toBe(t0 + 20_000);
      });

      it('extend does not bring back an expired session (idle or absolute) and writes nothing', async () => {
        const idleRecord = newRecord();
        await store.create(idleRecord, t0 + idle);
        expect(await store.extend(idleRecord.idHash, t0 + idle, t0 + idle, limits)).toBeUndefined();
        expect(await store.get(idleRecord.idHash)).toEqual(idleRecord);

        // Signed in almost 8 h ago and active since: only the absolute limit (at t0 + 1 s) is near.
        const old = { ...newRecord(t0 - limits.absoluteTimeoutMs + 1_000), lastActivityAt: t0 - 1_000 };
        await store.create(old, t0 + 1_000);
        expect(await store.extend(old.idHash, t0 - 500, t0 - 500, limits)).toEqual({
          ...old,
          lastActivityAt: t0 - 500,
        });
        expect(await store.extend(old.idHash, t0 + 1_000, t0 + 1_000, limits)).toBeUndefined();
        expect((await store.get(old.idHash))?.lastActivityAt).toBe(t0 - 500);
      });

      it('extends of many sessions at once each apply to their own session', async () => {
        const records = Array.from({ length: 20 }, () => newRecord());
        for (const record of records) await store.create(record, t0 + idle);
        const extended = await Promise.all(
          records.map((record, i) => store.extend(record.idHash, t0 + i, t0 + 1_000, limits)),
        );
        expect(extended).toEqual(records.map((record, i) => ({ ...record, lastActivityAt: t0 + i })));
        for (const [i, record] of records.entries()) {
          expect((await store.get(record.idHash))?.lastActivityAt).toBe(t0 + i);
        }
      });

      it('extend on a missing session returns undefined and does not create it', async () => {
        expect(await store.extend('never-created', t0, t0, limits)).toBeUndefined();
        expect(await store.get('never-created')).toBeUndefined();
      });

      it('delete deletes: get returns undefined, and a later extend does not bring the session back', async () => {
        const record = newRecord();
        await store.create(record, t0 + idle);
        await store.delete(record.idHash);
        expect(await store.get(record.idHash)).toBeUndefined();
        expect(await store.extend(record.idHash, t0 + 1_000, t0 + 1_000, limits)).toBeUndefined();
        expect(await store.get(record.idHash)).toBeUndefined();
      });

      it('deleting a missing session is not an error', async () => {
        await expect(store.delete('never-created')).resolves.toBeUndefined();
      });

      it('delete touches only its own session', async () => {
        const [a, b] = [newRecord(), newRecord()];
        await store.create(a, t0 + idle);
        await store.create(b, t0 + idle);
        await store.delete(a.idHash);
        expect(await store.get(b.idHash)).toEqual(b);
      });
    });

    describe('per-user index', () => {
      const byPublicId = (records: SessionRecord[]) => records.map((record) => record.publicId).sort();

      it('lists the live sessions of one user only, as created', async () => {
        const [a, b, other] = [newRecord(t0, 'alice'), newRecord(t0 + 5, 'alice'), newRecord(t0, 'bob')];
        for (const record of [a, b, other]) await store.create(record, record.createdAt + idle);
        const listed = await store.listByUser('alice', t0 + 10);
        expect(byPublicId(listed)).toEqual(byPublicId([a, b]));
        expect(listed.find((record) => record.idHash === b.idHash)).toEqual(b);
        expect(await store.listByUser('nobody', t0)).toEqual([]);
      });

      it('leaves out sessions whose expiry has passed, before and after a purge', async () => {
        const [ending, staying] = [newRecord(t0, 'alice'), newRecord(t0, 'alice')];
        await store.create(ending, t0 + 30_000);
        await store.create(staying, t0 + idle);
        expect(byPublicId(await store.listByUser('alice', t0 + 30_000))).toEqual([staying.publicId]);
        await store.purgeExpired(t0 + 30_000);
        expect(byPublicId(await store.listByUser('alice', t0 + 30_000))).toEqual([staying.publicId]);
        await store.purgeExpired(t0 + idle);
        expect(await store.listByUser('alice', t0)).toEqual([]);
      });

      it('follows an extend, and drops a deleted session', async () => {
        const [a, b] = [newRecord(t0, 'alice'), newRecord(t0, 'alice')];
        await store.create(a, t0 + idle);
        await store.create(b, t0 + idle);
        await store.extend(a.idHash, t0 + 50_000, t0 + 50_000, limits);
        expect(byPublicId(await store.listByUser('alice', t0 + 70_000))).toEqual([a.publicId]);
        await store.delete(a.idHash);
        expect(await store.listByUser('alice', t0 + 1_000)).toEqual([b]);
      });

      it('revoke ends a live session of that user only: off the list, not extendable, marked on get', async () => {
        const [mine, theirs] = [newRecord(t0, 'alice'), newRecord(t0, 'bob')];
        await store.create(mine, t0 + idle);
        await store.create(theirs, t0 + idle);
        expect(await store.revoke('alice', theirs.idHash, t0)).toBe(false);
        expect(await store.get(theirs.idHash)).toEqual(theirs);
        expect(await store.revoke('alice', mine.idHash, t0)).toBe(true);
        expect(await store.revoke('alice', mine.idHash, t0)).toBe(false);
        expect(await store.get(mine.idHash)).toEqual({ ...mine, revoked: true });
        expect(await store.listByUser('alice', t0)).toEqual([]);
        expect(await store.extend(mine.idHash, t0 + 1, t0 + 1, limits)).toBeUndefined();
        expect(await store.revoke('alice', 'never-created', t0)).toBe(false);
      });

      it('markReauthenticated records a recent sign-in on a live session, not on a revoked or missing one', async () => {
        const [mine, other] = [newRecord(t0, 'alice'), newRecord(t0, 'alice')];
        await store.create(mine, t0 + idle);
        await store.create(other, t0 + idle);
        expect(await store.markReauthenticated(mine.idHash, t0 + 5_000)).toBe(true);
        expect(await store.get(mine.idHash)).toEqual({ ...mine, reauthenticatedAt: t0 + 5_000 });
        // It survives a heartbeat, and moves no deadline.
        expect(await store.extend(mine.idHash, t0 + 6_000, t0 + 6_000, limits)).toEqual({
          ...mine,
          lastActivityAt: t0 + 6_000,
          reauthenticatedAt: t0 + 5_000,
        });
        await store.revoke('alice', other.idHash, t0);
        expect(await store.markReauthenticated(other.idHash, t0 + 5_000)).toBe(false);
        expect(await store.get(other.idHash)).toEqual({ ...other, revoked: true });
        expect(await store.markReauthenticated('never-created', t0)).toBe(false);
        expect(await store.get('never-created')).toBeUndefined();
      });

      it('does not revoke an expired session, and purges a revoked one at its expiry', async () => {
        const [expired, revoked] = [newRecord(t0, 'alice'), newRecord(t0, 'alice')];
        await store.create(expired, t0 + 10_000);
        await store.create(revoked, t0 + idle);
        expect(await store.revoke('alice', expired.idHash, t0 + 10_000)).toBe(false);
        await store.revoke('alice', revoked.idHash, t0);
        expect(await store.purgeExpired(t0 + idle)).toBe(2);
        expect(await store.get(revoked.idHash)).toBeUndefined();
      });
    });

    describe('operator: every live session', () => {
      const sorted = (records: SessionRecord[]) => records.map((record) => record.publicId).sort();

      it('listLive lists every live session of every user, not expired or revoked ones', async () => {
        const [a, b, expired, revoked] = [
          newRecord(t0, 'alice'),
          newRecord(t0, 'bob'),
          newRecord(t0, 'carol'),
          newRecord(t0, 'alice'),
        ];
        await store.create(a, t0 + idle);
        await store.create(b, t0 + 2 * idle);
        await store.create(expired, t0 + 1_000);
        await store.create(revoked, t0 + idle);
        await store.revoke('alice', revoked.idHash, t0);
        expect(sorted(await store.listLive(t0 + 1_000))).toEqual(sorted([a, b]));
        expect(await store.listLive(t0 + idle)).toEqual([b]);
      });

      it('countLive counts live sessions, and those ending by a moment, without revoked or expired ones', async () => {
        const records = [newRecord(t0, 'alice'), newRecord(t0, 'alice'), newRecord(t0, 'bob'), newRecord(t0, 'bob')];
        await store.create(records[0], t0 + 30_000);
        await store.create(records[1], t0 + idle);
        await store.create(records[2], t0 + 3_600_000);
        await store.create(records[3], t0 + idle);
        expect(await store.countLive(t0)).toBe(4);
        await store.revoke('bob', records[3].idHash, t0);
        expect(await store.countLive(t0)).toBe(3);
        expect(await store.countLive(t0, t0 + idle)).toBe(2);
        expect(await store.countLive(t0 + 30_000)).toBe(2);
        await store.extend(records[1].idHash, t0 + 50_000, t0 + 50_000, limits);
        expect(await store.countLive(t0 + idle, t0 + idle)).toBe(0);
        expect(await store.countLive(t0 + idle)).toBe(2);
        await store.delete(records[2].idHash);
        expect(await store.countLive(t0 + idle)).toBe(1);
        await store.purgeExpired(t0 + 4_000_000);
        expect(await store.countLive(t0)).toBe(0);
      });

      it("revokeAll with a username ends that user's live sessions as the operator's, and no one else's", async () => {
        const [a1, a2, b, old] = [
          newRecord(t0, 'alice'),
          newRecord(t0, 'alice'),
          newRecord(t0, 'bob'),
          newRecord(t0, 'alice'),
        ];
        for (const record of [a1, a2, b]) await store.create(record, t0 + idle);
        await store.create(old, t0 + 1_000);
        expect(await store.revokeAll(t0 + 1_000, 'alice')).toBe(2);
        expect(await store.get(a1.idHash)).toEqual({ ...a1, revoked: true, revokedBy: 'operator' });
        expect(await store.get(b.idHash)).toEqual(b);
        expect(await store.get(old.idHash)).toEqual(old); // expired: left to the purge
        expect(await store.listByUser('alice', t0 + 1_000)).toEqual([]);
        expect(await store.extend(a2.idHash, t0 + 2_000, t0 + 2_000, limits)).toBeUndefined();
        expect(await store.countLive(t0 + 1_000)).toBe(1);
        expect(await store.revokeAll(t0 + 1_000, 'alice')).toBe(0);
        expect(await store.revokeAll(t0 + 1_000, 'nobody')).toBe(0);
      });

      it('revokeAll without a username ends every live session; a user-revoked one keeps its mark', async () => {
        const [a, b, c] = [newRecord(t0, 'alice'), newRecord(t0, 'bob'), newRecord(t0, 'carol')];
        for (const record of [a, b, c]) await store.create(record, t0 + idle);
        await store.revoke('carol', c.idHash, t0);
        expect(await store.revokeAll(t0)).toBe(2);
        expect(await store.get(b.idHash)).toEqual({ ...b, revoked: true, revokedBy: 'operator' });
        expect(await store.get(c.idHash)).toEqual({ ...c, revoked: true });
        expect(await store.listLive(t0)).toEqual([]);
        expect(await store.countLive(t0)).toBe(0);
        expect(await store.purgeExpired(t0 + idle)).toBe(3);
      });
    });

    describe('purgeExpired', () => {
      it('deletes the sessions whose expiresAt has passed, counts them, and keeps the rest', async () => {
        const ending = newRecord();
        const staying = newRecord();
        const endingNow = newRecord();
        await store.create(ending, t0 + 60_000);
        await store.create(staying, t0 + 120_000);
        await store.create(endingNow, t0 + 90_000);
        expect(await store.purgeExpired(t0 + 90_000)).toBe(2); // expiresAt <= now goes
        expect(await store.get(ending.idHash)).toBeUndefined();
        expect(await store.get(endingNow.idHash)).toBeUndefined();
        expect(await store.get(staying.idHash)).toEqual(staying);
        expect(await store.purgeExpired(t0 + 90_000)).toBe(0);
      });

      it('honours the expiresAt an extend moved', async () => {
        const record = newRecord();
        await store.create(record, t0 + 60_000);
        await store.extend(record.idHash, t0 + 50_000, t0 + 50_000, limits);
        expect(await store.purgeExpired(t0 + 90_000)).toBe(0);
        expect(await store.get(record.idHash)).toEqual({ ...record, lastActivityAt: t0 + 50_000 });
        expect(await store.purgeExpired(t0 + 110_000)).toBe(1);
        expect(await store.get(record.idHash)).toBeUndefined();
      });

      it('does not count sessions deleted before', async () => {
        const record = newRecord();
        await store.create(record, t0 + 60_000);
        await store.delete(record.idHash);
        expect(await store.purgeExpired(t0 + 90_000)).toBe(0);
      });
    });

    describe('failure counters', () => {
      it('has no counter before the first failure', async () => {
        expect(await store.getFailures('user:nobody', t0)).toBeUndefined();
      });

      it('counts failures within the window, which opens at the first one', async () => {
        expect(await store.addFailure('user:alice', t0, window)).toEqual({ count: 1, resetAt: t0 + window });
        expect(await store.addFailure('user:alice', t0 + 1_000, window)).toEqual({ count: 2, resetAt: t0 + window });
        expect(await store.addFailure('user:alice', t0 + window - 1, window)).toEqual({
          count: 3,
          resetAt: t0 + window,
        });
        expect(await store.getFailures('user:alice', t0 + 2_000)).toEqual({ count: 3, resetAt: t0 + window });
      });

      it('forgets a counter whose window has passed, and opens a new window at the next failure', async () => {
        await store.addFailure('user:alice', t0, window);
        await store.addFailure('user:alice', t0, window);
        expect(await store.getFailures('user:alice', t0 + window - 1)).toEqual({ count: 2, resetAt: t0 + window });
        expect(await store.getFailures('user:alice', t0 + window)).toBeUndefined();
        expect(await store.addFailure('user:alice', t0 + window, window)).toEqual({
          count: 1,
          resetAt: t0 + 2 * window,
        });
      });

      it('keeps counters apart by key', async () => {
        await store.addFailure('user:alice', t0, window);
        await store.addFailure('user:alice', t0, window);
        await store.addFailure('client:10.0.0.1', t0, window);
        expect((await store.getFailures('user:alice', t0))?.count).toBe(2);
        expect((await store.getFailures('client:10.0.0.1', t0))?.count).toBe(1);
        expect(await store.getFailures('user:bob', t0)).toBeUndefined();
      });

      it('clearFailures removes the counter, and clearing a missing one is fine', async () => {
        await store.addFailure('user:alice', t0, window);
        await store.clearFailures('user:alice');
        expect(await store.getFailures('user:alice', t0)).toBeUndefined();
        await expect(store.clearFailures('user:nobody')).resolves.toBeUndefined();
        expect(await store.addFailure('user:alice', t0 + 1_000, window)).toEqual({
          count: 1,
          resetAt: t0 + 1_000 + window,
        });
      });

      it('loses no count when failures arrive at once', async () => {
        const results = await Promise.all(Array.from({ length: 25 }, () => store.addFailure('user:busy', t0, window)));
        expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
        expect(await store.getFailures('user:busy', t0)).toEqual({ count: 25, resetAt: t0 + window });
      });

      it('takeBackFailure gives one back atomically, never below 0, and leaves a closed window closed', async () => {
        await Promise.all(Array.from({ length: 10 }, () => store.addFailure('client:busy', t0, window)));
        await Promise.all(Array.from({ length: 7 }, () => store.takeBackFailure('client:busy', t0 + 1)));
        expect(await store.getFailures('client:busy', t0 + 1)).toEqual({ count: 3, resetAt: t0 + window });
        await Promise.all(Array.from({ length: 5 }, () => store.takeBackFailure('client:busy', t0 + 1)));
        expect(await store.getFailures('client:busy', t0 + 1)).toEqual({ count: 0, resetAt: t0 + window });
        expect(await store.addFailure('client:busy', t0 + 2, window)).toEqual({ count: 1, resetAt: t0 + window });

        await store.takeBackFailure('client:closed', t0);
        expect(await store.getFailures('client:closed', t0)).toBeUndefined();
        await store.addFailure('client:old', t0, window);
        await store.takeBackFailure('client:old', t0 + window);
        expect(await store.addFailure('client:old', t0 + window, window)).toEqual({
          count: 1,
          resetAt: t0 + 2 * window,
        });
      });

      it('purgeExpired leaves live counters alone', async () => {
        await store.addFailure('user:alice', t0, window);
        await store.purgeExpired(t0 + 1_000);
        expect(await store.getFailures('user:alice', t0 + 1_000)).toEqual({ count: 1, resetAt: t0 + window });
      });
    });

    describe('device tokens', () => {
      it('gives the username of a live token, and nothing for an unknown, expired or deleted one', async () => {
        await store.saveDeviceToken('token-a', 'Zoë:user name\u00a0✓', t0 + window, t0);
        await store.saveDeviceToken('token-b', 'bob', t0 + window, t0);
        expect(await store.getDeviceToken('token-a', t0 + window - 1)).toBe('Zoë:user name\u00a0✓');
        expect(await store.getDeviceToken('token-a', t0 + window)).toBeUndefined();
        expect(await store.getDeviceToken('no-such-token', t0)).toBeUndefined();
        await store.deleteDeviceToken('token-b');
        expect(await store.getDeviceToken('token-b', t0)).toBeUndefined();
        await expect(store.deleteDeviceToken('token-b')).resolves.toBeUndefined();
      });

      it('deleteDeviceTokensOfUser forgets every token of that user but the one kept, and no one else’s', async () => {
        for (const token of ['a-1', 'a-2', 'a-3']) await store.saveDeviceToken(token, 'alice', t0 + window, t0);
        await store.saveDeviceToken('b-1', 'bob', t0 + window, t0);
        await store.saveDeviceToken('z-1', 'alice ', t0 + window, t0);
        expect(await store.deleteDeviceTokensOfUser('alice', 'a-2')).toBe(2);
        expect(await store.getDeviceToken('a-1', t0)).toBeUndefined();
        expect(await store.getDeviceToken('a-2', t0)).toBe('alice');
        expect(await store.getDeviceToken('a-3', t0)).toBeUndefined();
        expect(await store.getDeviceToken('b-1', t0)).toBe('bob');
        expect(await store.getDeviceToken('z-1', t0)).toBe('alice ');
        expect(await store.deleteDeviceTokensOfUser('alice', undefined)).toBe(1);
        expect(await store.getDeviceToken('a-2', t0)).toBeUndefined();
        expect(await store.deleteDeviceTokensOfUser('nobody', undefined)).toBe(0);
      });

      it('a token deleted alone, or issued again, is forgotten exactly once', async () => {
        await store.saveDeviceToken('a-1', 'alice', t0 + window, t0);
        await store.saveDeviceToken('a-2', 'alice', t0 + window, t0);
        await store.deleteDeviceToken('a-1');
        expect(await store.deleteDeviceTokensOfUser('alice', undefined)).toBe(1);
        await store.saveDeviceToken('a-3', 'alice', t0 + window, t0);
        expect(await store.deleteDeviceTokensOfUser('alice', undefined)).toBe(1);
        expect(await store.getDeviceToken('a-3', t0)).toBeUndefined();
      });

      it('purgeExpired keeps live tokens (expired ones go: by purge, or by TTL in Redis)', async () => {
        await store.saveDeviceToken('token-old', 'alice', t0 + 1_000, t0);
        await store.saveDeviceToken('token-new', 'alice', t0 + window, t0);
        await store.purgeExpired(t0 + 1_000);
        expect(await store.getDeviceToken('token-old', t0 + 1_000)).toBeUndefined();
        expect(await store.getDeviceToken('token-new', t0 + 1_000)).toBe('alice');
      });
    });

    describe("names that are also Object.prototype's", () => {
      // A document store keeps plain objects, some from JSON.parse: a username, id or key like
      // these must stay just a name, and never reach Object.prototype.
      const prototypeNames = ['__proto__', 'constructor', 'hasOwnProperty'];
      const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();
      const untouched = prototypeKeys();
      afterEach(() => {
        expect(prototypeKeys()).toEqual(untouched);
      });

      it.each(prototypeNames)(
        'a session of the user %s, and one whose id hash is that, are stored, listed and purged like any',
        async (name) => {
          const byName = newRecord(t0, name);
          const byHash = { ...newRecord(t0, 'alice'), idHash: name };
          await store.create(byName, t0 + idle);
          await store.create(byHash, t0 + idle);
          expect(await store.get(byName.idHash)).toEqual(byName);
          expect(await store.get(byHash.idHash)).toEqual(byHash);
          expect(await store.listByUser(name, t0)).toEqual([byName]);
          expect(await store.listByUser('alice', t0)).toEqual([byHash]);
          expect(await store.extend(name, t0 + 1_000, t0 + 1_000, limits)).toEqual({
            ...byHash,
            lastActivityAt: t0 + 1_000,
          });
          expect(await store.revoke(name, byName.idHash, t0 + 1_000)).toBe(true);
          expect(await store.listByUser(name, t0 + 1_000)).toEqual([]);
          await store.delete(name);
          expect(await store.get(name)).toBeUndefined();
          expect(await store.purgeExpired(t0 + idle)).toBe(1);
          expect(await store.get(byName.idHash)).toBeUndefined();
          expect(await store.listByUser('constructor', t0)).toEqual([]);
        },
      );

      it.each(prototypeNames)('a failure counter keyed %s counts, clears and purges like any', async (name) => {
        expect(await store.getFailures(name, t0)).toBeUndefined();
        expect(await store.addFailure(name, t0, window)).toEqual({ count: 1, resetAt: t0 + window });
        expect(await store.addFailure(name, t0, window)).toEqual({ count: 2, resetAt: t0 + window });
        await store.takeBackFailure(name, t0);
        expect(await store.getFailures(name, t0)).toEqual({ count: 1, resetAt: t0 + window });
        await store.clearFailures(name);
        expect(await store.getFailures(name, t0)).toBeUndefined();
        await store.addFailure(name, t0, window);
        await store.purgeExpired(t0 + window);
        expect(await store.getFailures(name, t0 + window)).toBeUndefined();
      });

      it.each(prototypeNames)(
        'a device token hashed %s, and one for the user of that name, are kept and forgotten like any',
        async (name) => {
          await store.saveDeviceToken(name, 'alice', t0 + window, t0);
          await store.saveDeviceToken('token-a', name, t0 + window, t0);
          expect(await store.getDeviceToken(name, t0)).toBe('alice');
          expect(await store.getDeviceToken('token-a', t0)).toBe(name);
          const other = prototypeNames.find((candidate) => candidate !== name)!;
          expect(await store.getDeviceToken(other, t0)).toBeUndefined();
          expect(await store.deleteDeviceTokensOfUser(name, undefined)).toBe(1);
          expect(await store.getDeviceToken('token-a', t0)).toBeUndefined();
          await store.deleteDeviceToken(name);
          expect(await store.getDeviceToken(name, t0)).toBeUndefined();
        },
      );
    });

    describe('health', () => {
      it('ping resolves while the store is open, and close resolves', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        // afterEach closes it again: close must be safe to call twice.
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
}
