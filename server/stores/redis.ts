import type { SessionStore } from './store';

export async function createRedisStore(_url: string): Promise<SessionStore> {
  throw new Error('not implemented');
}
