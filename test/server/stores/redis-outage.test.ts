/**
 * The app on a real redis-server that hangs, dies and comes back (decision 018): the shared
 * outage scenarios (redis-outage-scenarios.ts, also run on a Redis Cluster by
 * redis-cluster.test.ts), and that a Redis run with `appendonly yes` keeps the sessions across
 * its own restart (the README's multi-instance section).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../server/stores/redis';
import { findRedisServer, startRedisServer, type RedisServer } from '../../support/redis-server';
import { cookieFrom, createTestClock } from '../../support/test-server';
import { apiClient, useTestApps } from '../helpers';
import { describeOutageScenarios } from './redis-outage-scenarios';

const { inProcess } = useTestApps();

/** Servers this file started, killed after each test whatever happened. */
const started: RedisServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function redisServer(options: Parameters<typeof startRedisServer>[0] = {}): Promise<RedisServer> {
  const server = (await startRedisServer(options))!;
  started.push(server);
  return server;
}

// Loud skip without redis-server (startRedisServer says so; under CI=true it throws).
const hasRedis = findRedisServer() !== undefined || (await startRedisServer()) !== undefined;

describeOutageScenarios(
  'Redis',
  {
    // One redis-server without persistence, new for each scenario.
    async deploy() {
      let redis = await redisServer();
      return {
        openStore: () => createRedisStore(redis.url),
        hang: () => redis.pause(),
        resume: () => redis.resume(),
        kill: () => redis.kill(),
        async restart() {
          redis = await redisServer({ port: redis.port });
        },
        keepsData: false,
      };
    },
    hangMs: 10_000,
  },
  { skip: !hasRedis },
);

describe.skipIf(!hasRedis)('Redis with appendonly yes', () => {
  it('keeps the sessions across a restart of Redis', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idle-session-aof-'));
    dirs.push(dir);
    const redis = await redisServer({ appendOnlyDir: dir });
    const api = apiClient(await inProcess({ store: await createRedisStore(redis.url), clock: createTestClock() }));
    const cookies = [];
    for (let i = 0; i < 20; i++) cookies.push(cookieFrom(await api.signIn(`user${i}`)));

    await redis.stop();
    await redisServer({ port: redis.port, appendOnlyDir: dir });
    await expect.poll(async () => (await api.health()).status, { timeout: 10_000, interval: 50 }).toBe(200);

    for (const cookie of cookies) expect((await api.getSession(cookie)).status).toBe(200);
    expect((await api.heartbeat(cookies[0], {})).status).toBe(200);
  }, 40_000);
});
