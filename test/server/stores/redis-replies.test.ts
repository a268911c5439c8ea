/**
 * Which Redis error replies the app answers 503 `store_unavailable` (decision 018): the "not now"
 * ones, and no other. Each reply comes from a fake Redis (test/support/fake-redis.ts) to the store
 * a single Redis uses (REDIS_CLUSTER=false), where a reply reaches the classification as it came.
 * On a Cluster, ioredis retries TRYAGAIN and CLUSTERDOWN itself first: redis-cluster.test.ts makes
 * both for real. Needs no redis-server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../server/stores/redis';
import { storeRetryAfterSeconds } from '../../../server/stores/unavailable';
import { startFakeRedis, type FakeRedis } from '../../support/fake-redis';
import { createTestClock } from '../../support/test-server';
import { apiClient, expectError, useTestApps } from '../helpers';

const { inProcess } = useTestApps();

const fakes: FakeRedis[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

/** A cookie of the right shape: the app hashes it and asks the store, which gets the reply. */
const cookie = `sid=${'A'.repeat(43)}`;

/** The app on a fake Redis that answers every data command with `reply`. */
async function appAnswering(reply: string) {
  const fake = await startFakeRedis(reply);
  fakes.push(fake);
  const app = await inProcess({ store: await createRedisStore(fake.url), clock: createTestClock() });
  return { fake, app, api: apiClient(app) };
}

/** What real Redis servers send, word for word (Redis 7.0). */
const notNow = [
  '-TRYAGAIN Multiple keys request during rehashing of slot',
  '-CLUSTERDOWN The cluster is down',
  '-CLUSTERDOWN Hash slot not served',
  '-LOADING Redis is loading the dataset in memory',
  '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
  "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.",
  "-READONLY You can't write against a read only replica.",
  "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
  '-NOREPLICAS Not enough good replicas to write.',
  '-MOVED 3999 127.0.0.1:6381',
  '-ASK 3999 127.0.0.1:6381',
];

describe('Redis replies that mean "not now"', () => {
  it.each(notNow)('%s: 503 store_unavailable with Retry-After', async (reply) => {
    const { fake, app, api } = await appAnswering(`${reply}\r\n`);
    const responses = await Promise.all([
      api.heartbeat(cookie, { idleForMs: 0 }),
      api.getSession(cookie),
      api.signIn('alice'),
    ]);
    for (const response of responses) {
      await expectError(response, 503, 'store_unavailable');
      expect(response.headers.get('Retry-After')).toBe(String(storeRetryAfterSeconds));
    }
    expect(fake.commands.length).toBeGreaterThan(0);
    // The reply decided, not the store's 2 s limit (also a 503): each 503 is logged with it.
    const logged = app.logs.map((line) => JSON.parse(line) as { event: string; message?: string });
    const unavailable = logged.filter((entry) => entry.event === 'store_unavailable');
    expect(unavailable).toHaveLength(responses.length);
    for (const entry of unavailable) expect(entry.message).toContain(reply.slice(1));
  });

  it('any other error reply is a bug: 500 internal_error', async () => {
    const { fake, api } = await appAnswering('-ERR Error running script (call to f_0123): @user_script:1: oops\r\n');
    await expectError(await api.getSession(cookie), 500, 'internal_error');
    await expectError(await api.signIn('alice'), 500, 'internal_error');
    expect(fake.commands.length).toBeGreaterThan(0);
  });
});
