/**
 * Memory, SQLite and Redis, for a behaviour checked on every store through the HTTP API. Starts a
 * redis-server for the calling test file (stopped after it); each Redis store begins on an empty
 * database. Loud skip without redis-server; under CI=true startRedisServer throws and the file fails.
 */
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { createRedisStore } from '../../server/stores/redis';
import type { Store } from '../../server/stores/store';
import { startRedisServer } from '../support/redis-server';
import { createStore } from './helpers';

/**
 * [name, a fresh store, skip] rows for `describe.each`, the Redis server (undefined: skipped) and
 * its fresh-store maker.
 */
export async function everyStore() {
  const redis = await startRedisServer();
  afterAll(async () => {
    await redis?.stop();
  });

  async function freshRedisStore(): Promise<Store> {
    const admin = new Redis(redis!.url, { lazyConnect: true });
    await admin.connect();
    await admin.flushdb();
    await admin.quit();
    return createRedisStore(redis!.url);
  }

  const stores: Array<[string, () => Promise<Store>, boolean]> = [
    ['memory', async () => createStore('memory'), false],
    ['sqlite', async () => createStore('sqlite'), false],
    ['redis', freshRedisStore, !redis],
  ];
  return { redis, stores, freshRedisStore };
}
