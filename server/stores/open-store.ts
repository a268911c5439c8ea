import { createMemoryStore } from './memory';
import { createSqliteStore } from './sqlite';
import type { Store } from './store';

/** Which store holds the sessions (SESSION_STORE). */
export type StoreKind = 'sqlite' | 'redis' | 'memory';

/** Where the store is: the part of the server's config (config.ts) that names it. */
export interface StoreLocation {
  store: StoreKind;
  databasePath: string;
  redisUrl: string | undefined;
  /** REDIS_CLUSTER: `redisUrl` is a seed node of a Redis Cluster. */
  redisCluster?: boolean;
}

/** Opens the store the config names. */
export async function openStore(config: StoreLocation): Promise<Store> {
  switch (config.store) {
    case 'memory':
      return createMemoryStore();
    case 'sqlite':
      return createSqliteStore(config.databasePath);
    case 'redis': {
      const { createRedisStore } = await import('./redis');
      return createRedisStore(config.redisUrl!, { cluster: config.redisCluster });
    }
  }
}
