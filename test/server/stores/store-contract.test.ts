import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { createWebStorageStore } from '../../../mocks/web-storage-store';
import { createMemoryStore } from '../../../server/stores/memory';
import { createRedisStore } from '../../../server/stores/redis';
import { createSqliteStore } from '../../../server/stores/sqlite';
import { startRedisServer } from '../../support/redis-server';
import { describeNoteStoreContract } from './note-store-contract';
import { describeStoreContract, type StoreFactory } from './store-contract';

// One conformance suite, three implementations; the notes part (note-store-contract.ts) beside it.
function describeContracts(name: string, factory: StoreFactory, options?: { skip?: boolean }) {
  describeStoreContract(name, factory, options);
  describeNoteStoreContract(name, factory, options);
}

describeContracts('memory', async () => createMemoryStore());
// Mock mode's store: the same document store, kept as JSON in Web Storage.
describeContracts('web storage', async () => createWebStorageStore(memoryStorage(), 'idle-session-store'));

const sqliteDir = await mkdtemp(join(tmpdir(), 'idle-session-store-'));
let sqliteFiles = 0;
describeContracts('sqlite', async () => createSqliteStore(join(sqliteDir, `sessions-${++sqliteFiles}.db`)));

// Loud skip without redis-server; under CI=true startRedisServer throws and this file fails.
const redis = await startRedisServer();
describeContracts(
  'redis',
  async () => {
    // Each test starts from an empty Redis, so purge counts are exact.
    const admin = new Redis(redis!.url, { lazyConnect: true });
    await admin.connect();
    await admin.flushdb();
    await admin.quit();
    return createRedisStore(redis!.url);
  },
  { skip: !redis },
);

afterAll(async () => {
  await redis?.stop();
  await rm(sqliteDir, { recursive: true, force: true });
});

/** A Web Storage of strings in a Map, as `localStorage` behaves for one page. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    key: (index) => [...items.keys()][index] ?? null,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
  };
}
