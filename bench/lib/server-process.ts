/**
 * The server under load, in its own process so that it has a core to itself and the load
 * generator the other: the real createApp on @hono/node-server, on an ephemeral port.
 * Started by bench/server.ts with BENCH_STORE=memory|sqlite|redis (and BENCH_DATABASE_PATH or
 * BENCH_REDIS_URL); tells its parent the port over IPC, and stops on "stop".
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../../server/app';
import { defaultSessionConfig } from '../../server/config';
import { createJsonLogger } from '../../server/logger';
import { createMemoryStore } from '../../server/stores/memory';
import { createSqliteStore } from '../../server/stores/sqlite';
import type { SessionStore } from '../../server/stores/store';

async function openBenchStore(): Promise<SessionStore> {
  switch (process.env.BENCH_STORE) {
    case 'memory':
      return createMemoryStore();
    case 'sqlite':
      return createSqliteStore(process.env.BENCH_DATABASE_PATH!);
    case 'redis': {
      const { createRedisStore } = await import('../../server/stores/redis');
      return createRedisStore(process.env.BENCH_REDIS_URL!);
    }
    default:
      throw new Error(`BENCH_STORE must be memory, sqlite or redis, got ${process.env.BENCH_STORE}`);
  }
}

const store = await openBenchStore();
const app = createApp({
  store,
  config: { session: defaultSessionConfig },
  // Log lines are built as in production but written nowhere: the figures are the server's, not a pipe's.
  logger: createJsonLogger(() => {}),
  clientAddress: (_request, env) => (env as { incoming?: IncomingMessage }).incoming?.socket.remoteAddress ?? 'unknown',
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  if ('closeAllConnections' in server) server.closeAllConnections();
  await store.close();
  process.exit(0);
}
process.on('message', (message) => {
  if (message === 'stop') void stop();
  // CPU time so far, so the parent can tell whether the server or the load generator was the limit.
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
// The parent went away without saying stop: do not linger.
process.on('disconnect', () => void stop());
