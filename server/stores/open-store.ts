import type { ServerConfig } from '../config';
import { createMemoryStore } from './memory';
import { createSqliteStore } from './sqlite';
import type { SessionStore } from './store';

/** Opens the store the config names. */
export async function openStore(
  config: Pick<ServerConfig, 'store' | 'databasePath' | 'redisUrl'> & Partial<Pick<ServerConfig, 'redisCluster'>>,
): Promise<SessionStore> {
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
