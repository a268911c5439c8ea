/**
 * The SQLite store in a temp file: what is on disk, restarts, purging
 * ([docs/design.md#server-rules](../../docs/design.md#server-rules), [docs/design.md#security-model](../../docs/design.md#security-model)).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { hashSessionId } from '../../server/session/ids';
import { createSqliteStore } from '../../server/stores/sqlite';
import { cookieFrom, createTestClock } from '../support/test-server';
import { apiClient, expectError, sessionBody, sessionIdOf, useTempDirs, useTestApps } from './helpers';

const { inProcess } = useTestApps();
const tempDir = useTempDirs();

/** Every byte SQLite has written for `dbPath`: the database, its WAL and its shared-memory index. */
async function bytesOnDisk(dbPath: string): Promise<Buffer> {
  const dir = join(dbPath, '..');
  const files = (await readdir(dir)).filter((name) => name.startsWith('sessions.db'));
  expect(files).toContain('sessions.db');
  return Buffer.concat(await Promise.all(files.map((name) => readFile(join(dir, name)))));
}

/** Rows in a table, read by a separate connection as an operator would. */
function countRows(dbPath: string, table: 'sessions' | 'login_failures' | 'device_tokens'): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('the SQLite store on disk', () => {
  it('keeps only a hash of the session id: the raw id is nowhere in the files', async () => {
    const dbPath = join(await tempDir(), 'sessions.db');
    const server = await inProcess({ store: createSqliteStore(dbPath) });
    const api = apiClient(server);
    const cookie = cookieFrom(await api.signIn('disk-user'));
    await api.heartbeat(cookie);
    const id = sessionIdOf(cookie);

    const bytes = await bytesOnDisk(dbPath);

    expect(bytes.includes('disk-user')).toBe(true); // we are reading the right files
    expect(bytes.includes(await hashSessionId(id))).toBe(true);
    expect(bytes.includes(id)).toBe(false);
    expect(bytes.includes(id.slice(0, 16))).toBe(false);
  });

  it('creates its folder when it is missing', async () => {
    const dbPath = join(await tempDir(), 'not', 'there', 'yet', 'sessions.db');
    const server = await inProcess({ store: createSqliteStore(dbPath) });

    expect((await apiClient(server).signIn()).status).toBe(201);
    expect((await stat(dbPath)).isFile()).toBe(true);
  });
});

describe('a restart', () => {
  it('keeps sessions: the same cookie works on a new server with the store reopened', async () => {
    const dbPath = join(await tempDir(), 'sessions.db');
    const clock = createTestClock();
    const before = await inProcess({ store: createSqliteStore(dbPath), clock });
    const cookie = cookieFrom(await apiClient(before).signIn());
    clock.advance(20_000);
    await apiClient(before).heartbeat(cookie);
    await before.store.close();

    clock.advance(30_000);
    const after = await inProcess({ store: createSqliteStore(dbPath), clock });
    const api = apiClient(after);

    const { user, session } = await sessionBody(await api.getSession(cookie));
    expect(user).toEqual({ username: 'test' });
    expect(session.idleExpiresInMs).toBe(30_000); // the heartbeat before the restart counts
    expect((await api.hello(cookie)).status).toBe(200);
  });

  it('keeps revocations: a session signed out before the restart stays dead', async () => {
    const dbPath = join(await tempDir(), 'sessions.db');
    const clock = createTestClock();
    const before = await inProcess({ store: createSqliteStore(dbPath), clock });
    const cookie = cookieFrom(await apiClient(before).signIn());
    await apiClient(before).signOut(cookie);
    await before.store.close();

    const after = await inProcess({ store: createSqliteStore(dbPath), clock });

    await expectError(await apiClient(after).getSession(cookie), 401, 'unauthenticated');
  });

  it('keeps a login lockout', async () => {
    const dbPath = join(await tempDir(), 'sessions.db');
    const clock = createTestClock();
    const before = await inProcess({ store: createSqliteStore(dbPath), clock });
    for (let i = 0; i < 5; i++) await apiClient(before).signIn('alice', 'wrong');
    await before.store.close();

    const after = await inProcess({ store: createSqliteStore(dbPath), clock });

    await expectError(await apiClient(after).signIn('alice'), 429, 'rate_limited');
  });
});

describe('two servers sharing one database file', () => {
  it('see the same sessions and the same sign-outs', async () => {
    const dbPath = join(await tempDir(), 'sessions.db');
    const clock = createTestClock();
    const first = await inProcess({ store: createSqliteStore(dbPath), clock });
    const second = await inProcess({ store: createSqliteStore(dbPath), clock });
    const cookie = cookieFrom(await apiClient(first).signIn());

    expect((await apiClient(second).getSession(cookie)).status).toBe(200);
    await apiClient(second).signOut(cookie);
    await expectError(await apiClient(first).getSession(cookie), 401, 'unauthenticated');
  });

  it('share one login failure budget', async () => {
    const dbPath = join(await tempDir(), 'sessions.db');
    const clock = createTestClock();
    const first = await inProcess({ store: createSqliteStore(dbPath), clock });
    const second = await inProcess({ store: createSqliteStore(dbPath), clock });
    for (let i = 0; i < 5; i++) await apiClient(i % 2 ? first : second).signIn('alice', 'wrong');

    await expectError(await apiClient(first).signIn('alice'), 429, 'rate_limited');
    await expectError(await apiClient(second).signIn('alice'), 429, 'rate_limited');
  });
});

describe('purgeExpired', () => {
  it('deletes expired sessions and keeps live ones', async () => {
    const dbPath = join(await tempDir(), 'sessions.db');
    const store = createSqliteStore(dbPath);
    const server = await inProcess({ store });
    const api = apiClient(server);
    const expiring = cookieFrom(await api.signIn('early'));
    server.clock.advance(30_000);
    const live = cookieFrom(await api.signIn('late'));
    server.clock.advance(30_000); // `early` reaches its idle deadline now

    const purged = await store.purgeExpired(server.clock.now());

    expect(purged).toBe(1);
    expect(countRows(dbPath, 'sessions')).toBe(1);
    expect(await store.get(await hashSessionId(sessionIdOf(expiring)))).toBeUndefined();
    expect((await api.getSession(live)).status).toBe(200);
  });

  it('deletes a session at its absolute limit even when it was kept active', async () => {
    const dbPath = join(await tempDir(), 'sessions.db');
    const store = createSqliteStore(dbPath);
    const server = await inProcess({ store, session: { absoluteTimeoutMs: 100_000 } });
    const api = apiClient(server);
    const cookie = cookieFrom(await api.signIn());
    server.clock.advance(50_000);
    await api.heartbeat(cookie);
    server.clock.advance(49_999);
    expect(await store.purgeExpired(server.clock.now())).toBe(0);

    server.clock.advance(1);

    expect(await store.purgeExpired(server.clock.now())).toBe(1);
    expect(countRows(dbPath, 'sessions')).toBe(0);
  });

  it('deletes login failure counters whose window has passed', async () => {
    const dbPath = join(await tempDir(), 'sessions.db');
    const store = createSqliteStore(dbPath);
    const server = await inProcess({ store });
    await apiClient(server).signIn('alice', 'wrong');
    // (username, client), username from new devices, client, consecutive failures
    expect(countRows(dbPath, 'login_failures')).toBe(4);

    server.clock.advance(15 * 60_000);
    await store.purgeExpired(server.clock.now());
    expect(countRows(dbPath, 'login_failures')).toBe(1); // the day-long count of consecutive failures

    server.clock.advance(24 * 60 * 60_000);
    await store.purgeExpired(server.clock.now());
    expect(countRows(dbPath, 'login_failures')).toBe(0);
  });

  it('deletes device tokens after their 30 days', async () => {
    const dbPath = join(await tempDir(), 'sessions.db');
    const store = createSqliteStore(dbPath);
    const server = await inProcess({ store });
    await apiClient(server).signIn('alice');
    expect(countRows(dbPath, 'device_tokens')).toBe(1);

    server.clock.advance(30 * 24 * 60 * 60_000 - 1);
    await store.purgeExpired(server.clock.now());
    expect(countRows(dbPath, 'device_tokens')).toBe(1);
    server.clock.advance(1);
    await store.purgeExpired(server.clock.now());
    expect(countRows(dbPath, 'device_tokens')).toBe(0);
  });
});

describe('a closed database', () => {
  it('makes /api/health answer 503', async () => {
    const store = createSqliteStore(join(await tempDir(), 'sessions.db'));
    const server = await inProcess({ store });
    await store.close();

    const response = await apiClient(server).health();

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable' });
  });
});

describe('writes that share one commit (group commit)', () => {
  it('are each on disk before their promise resolves, for another connection to read', async () => {
    const dbPath = join(await tempDir(), 'sessions.db');
    const store = createSqliteStore(dbPath);
    const now = Date.UTC(2026, 0, 1);
    const records = Array.from({ length: 30 }, (_, i) => ({
      idHash: `hash-${i}`,
      username: `user${i}`,
      createdAt: now,
      lastActivityAt: now,
      publicId: `public-${i}`,
      browser: 'Test',
    }));

    await Promise.all(records.map((record) => store.create(record, now + 60_000)));

    expect(countRows(dbPath, 'sessions')).toBe(30);
    await store.close();
  });

  it('fail alone: a write that breaks a constraint rejects, the others in its commit stay', async () => {
    const dbPath = join(await tempDir(), 'sessions.db');
    const store = createSqliteStore(dbPath);
    const now = Date.UTC(2026, 0, 1);
    const record = (idHash: string) => ({
      idHash,
      username: 'u',
      createdAt: now,
      lastActivityAt: now,
      publicId: idHash,
      browser: 'Test',
    });
    await store.create(record('taken'), now + 60_000);

    const results = await Promise.allSettled([
      store.create(record('first'), now + 60_000),
      store.create(record('taken'), now + 60_000),
      store.addFailure('user:u', now, 300_000),
    ]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.get('first')).toEqual(record('first'));
    expect(await store.getFailures('user:u', now)).toEqual({ count: 1, resetAt: now + 300_000 });
    await store.close();
  });

  it('queued when the store closes are written first', async () => {
    const dbPath = join(await tempDir(), 'sessions.db');
    const store = createSqliteStore(dbPath);
    const now = Date.UTC(2026, 0, 1);

    const created = store.create(
      { idHash: 'last', username: 'u', createdAt: now, lastActivityAt: now, publicId: 'last', browser: 'Test' },
      now + 1,
    );
    await store.close();
    await created;

    expect(countRows(dbPath, 'sessions')).toBe(1);
  });
});
