/**
 * Store trouble is 503 `store_unavailable` with `Retry-After`, never a 500, never a hang
 * (decision 018): the guard every store goes through, the app's answer to it on every route, and
 * SQLite's own "not now" (another process holding the write lock). Redis down, hung and
 * restarted is in stores/redis-outage.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSqliteStore } from '../../server/stores/sqlite';
import type { Store } from '../../server/stores/store';
import {
  StoreUnavailableError,
  guardStore,
  storeRetryAfterSeconds,
  storeTimeoutMs,
} from '../../server/stores/unavailable';
import { cookieFrom } from '../support/test-server';
import { apiClient, createStore, expectError, logEntries, useTestApps } from './helpers';

const { inProcess } = useTestApps();

/** A store whose every method, but close, fails or hangs the way `trouble` says. */
function troubledStore(store: Store, trouble: () => Promise<never>): Store {
  const troubled: Record<string, unknown> = { ...store };
  for (const [name, method] of Object.entries(store)) {
    if (typeof method === 'function' && name !== 'close') troubled[name] = trouble;
  }
  return troubled as unknown as Store;
}

const never = () => new Promise<never>(() => {});

/** Every API request a signed-in browser can make, each answered. */
async function everyRequest(api: ReturnType<typeof apiClient>, cookie: string): Promise<Response[]> {
  return Promise.all([
    api.signIn('bob'),
    api.signIn('bob', 'wrong'),
    api.getSession(cookie),
    api.heartbeat(cookie, { idleForMs: 0 }),
    api.hello(cookie),
    api.signOut(cookie),
  ]);
}

async function expectStoreUnavailable(response: Response): Promise<void> {
  const body = await expectError(response, 503, 'store_unavailable');
  expect(response.headers.get('Retry-After')).toBe(String(storeRetryAfterSeconds));
  expect(body.retryAfterSeconds).toBe(storeRetryAfterSeconds);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
}

describe('guardStore', () => {
  const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const isDown = (error: unknown) => error === down;

  it('turns an error the store recognises as "not now" into StoreUnavailableError, with the cause', async () => {
    const store = guardStore({ get: () => Promise.reject(down) }, isDown);
    const error = await store.get().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).cause).toBe(down);
  });

  it('passes any other error through unchanged, thrown or rejected', async () => {
    const bug = new TypeError('a bug');
    const store = guardStore(
      {
        rejects: () => Promise.reject(bug),
        throws: () => {
          throw bug;
        },
      },
      isDown,
    );
    await expect(store.rejects()).rejects.toBe(bug);
    await expect(store.throws()).rejects.toBe(bug);
  });

  it('rejects a call still pending after timeoutMs; purgeExpired and close get no limit', async () => {
    let purged = false;
    const store = guardStore(
      {
        get: never,
        purgeExpired: () => new Promise((resolve) => setTimeout(() => resolve((purged = true)), 80)),
      },
      isDown,
      { timeoutMs: 20 },
    );
    await expect(store.get()).rejects.toThrow(/did not answer get within 20 ms/);
    await expect(store.get()).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.purgeExpired();
    expect(purged).toBe(true);
  });

  it("the background purge's two calls get no limit: a purge that takes 5 s is not cut at 2 s", async () => {
    vi.useFakeTimers();
    try {
      const slowPurge = () => new Promise<number>((resolve) => setTimeout(() => resolve(7), 5_000));
      const store = guardStore({ purgeExpired: slowPurge, purgeDrafts: slowPurge }, isDown, {
        timeoutMs: storeTimeoutMs,
      });
      // What server/main.ts runs every minute.
      const purge = Promise.allSettled([store.purgeExpired(), store.purgeDrafts()]);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(await purge).toEqual([
        { status: 'fulfilled', value: 7 },
        { status: 'fulfilled', value: 7 },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the answer of a store that answers, and its `this`', async () => {
    const store = guardStore(
      {
        value: 42,
        async get() {
          return this.value;
        },
      },
      isDown,
      { timeoutMs: 1_000 },
    );
    expect(await store.get()).toBe(42);
  });
});

describe('the app while the store is unavailable', () => {
  it('answers 503 store_unavailable with Retry-After on every API route, /api/health 503, and logs it', async () => {
    const store = createStore('memory');
    const server = await inProcess({
      store: troubledStore(store, () => Promise.reject(new StoreUnavailableError('down'))),
    });
    const api = apiClient(server);
    const cookie = cookieFrom(await apiClient(await inProcess({ store })).signIn());

    for (const response of await everyRequest(api, cookie)) await expectStoreUnavailable(response);
    const health = await api.health();
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'unavailable' });
    expect(health.headers.get('Retry-After')).toBe(String(storeRetryAfterSeconds));
    expect(logEntries(server.logs).filter((entry) => entry.event === 'store_unavailable')).toHaveLength(7);
    expect(logEntries(server.logs).some((entry) => entry.event === 'unhandled_error')).toBe(false);
  });

  it('answers a store that hangs with 503 within the timeout, not at all later', async () => {
    const server = await inProcess({
      store: guardStore(troubledStore(createStore('memory'), never), () => false, { timeoutMs: 50 }),
    });
    const api = apiClient(server);
    const started = performance.now();
    for (const response of await everyRequest(api, 'sid=' + 'a'.repeat(43))) await expectStoreUnavailable(response);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('still answers a store bug with 500 internal_error', async () => {
    const server = await inProcess({
      store: troubledStore(createStore('memory'), () => Promise.reject(new TypeError('a bug'))),
    });
    await expectError(await apiClient(server).signIn(), 500, 'internal_error');
  });
});

describe('SQLite while another process holds the write lock', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('answers a write 503 store_unavailable after the busy timeout, and works again once the lock goes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'idle-session-busy-'));
    const path = join(dir, 'sessions.db');
    const server = await inProcess({ store: createSqliteStore(path) });
    const api = apiClient(server);
    const cookie = cookieFrom(await api.signIn());

    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE'); // the write lock, as another instance mid-transaction holds it
    try {
      const started = performance.now();
      await expectStoreUnavailable(await api.heartbeat(cookie, {}));
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(storeTimeoutMs - 100);
      expect(elapsed).toBeLessThan(3_000);
      // Reads go on: WAL readers do not wait for the writer.
      expect((await api.getSession(cookie)).status).toBe(200);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await api.heartbeat(cookie, {})).status).toBe(200);
  });
});
