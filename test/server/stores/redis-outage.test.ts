/**
 * The app on a real redis-server that hangs, dies and comes back (decision 018): every request
 * answers 503 `store_unavailable` with `Retry-After` within 3 s meanwhile, never 500, never
 * hangs; it recovers without a restart; and a Redis run with `appendonly yes` keeps the sessions
 * across its own restart (the README's multi-instance section).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../server/stores/redis';
import { storeRetryAfterSeconds } from '../../../server/stores/unavailable';
import { findRedisServer, startRedisServer, type RedisServer } from '../../support/redis-server';
import { cookieFrom, createTestClock } from '../../support/test-server';
import { apiClient, expectError, useTestApps } from '../helpers';

const { inProcess } = useTestApps();

/** The bound the issue sets: a client learns of store trouble within this long. */
const answerWithinMs = 3_000;

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

/** The app on `url`, with a clock that stands still: only the outage happens. */
async function appOn(url: string) {
  return apiClient(await inProcess({ store: await createRedisStore(url), clock: createTestClock() }));
}

/** One of each request a signed-in user's browser makes, at once; checks each is a quick 503. */
async function expectEveryRequestUnavailable(api: ReturnType<typeof apiClient>, cookie: string, otherCookie: string) {
  const before = performance.now();
  const responses = await Promise.all([
    api.heartbeat(cookie, { idleForMs: 0 }),
    api.getSession(cookie),
    api.hello(cookie),
    api.signIn('carol'),
    api.signOut(otherCookie),
  ]);
  const elapsed = performance.now() - before;
  for (const response of responses) {
    await expectError(response, 503, 'store_unavailable');
    expect(response.headers.get('Retry-After')).toBe(String(storeRetryAfterSeconds));
  }
  const health = await api.health();
  expect(health.status).toBe(503);
  expect(health.headers.get('Retry-After')).toBe(String(storeRetryAfterSeconds));
  expect(elapsed).toBeLessThan(answerWithinMs);
  expect(performance.now() - before).toBeLessThan(2 * answerWithinMs);
}

// Loud skip without redis-server (startRedisServer says so; under CI=true it throws).
const hasRedis = findRedisServer() !== undefined || (await startRedisServer()) !== undefined;

describe.skipIf(!hasRedis)('the app while Redis is in trouble', () => {
  it('hung (SIGSTOP for 10 s): 503 within 3 s all along; after SIGCONT the same sessions work', async () => {
    const redis = await redisServer();
    const api = await appOn(redis.url);
    const cookie = cookieFrom(await api.signIn('alice'));
    const otherCookie = cookieFrom(await api.signIn('bob'));

    redis.pause();
    const pausedAt = Date.now();
    let rounds = 0;
    try {
      while (Date.now() - pausedAt < 10_000) {
        await expectEveryRequestUnavailable(api, cookie, otherCookie);
        rounds++;
      }
    } finally {
      redis.resume();
    }
    expect(rounds).toBeGreaterThanOrEqual(3);

    // Recovery without a restart: the next requests find Redis and the sessions in it.
    expect((await api.health()).status).toBe(200);
    expect((await api.heartbeat(cookie, { idleForMs: 0 })).status).toBe(200);
    expect((await api.getSession(cookie)).status).toBe(200);
  }, 40_000);

  it('killed and restarted: 503 at once while it is gone, 200 again once it is back, without a restart', async () => {
    const redis = await redisServer();
    const api = await appOn(redis.url);
    const cookie = cookieFrom(await api.signIn('alice'));
    const otherCookie = cookieFrom(await api.signIn('bob'));

    await redis.kill();
    await expectEveryRequestUnavailable(api, cookie, otherCookie);
    await expectEveryRequestUnavailable(api, cookie, otherCookie);

    await redisServer({ port: redis.port });
    await expect.poll(async () => (await api.health()).status, { timeout: 10_000, interval: 50 }).toBe(200);
    // That Redis kept nothing (no persistence): the session is gone, a new sign-in works.
    expect((await api.getSession(cookie)).status).toBe(401);
    expect((await api.signIn('alice')).status).toBe(201);
  }, 40_000);

  it('with appendonly yes, the sessions survive a restart of Redis', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idle-session-aof-'));
    dirs.push(dir);
    const redis = await redisServer({ appendOnlyDir: dir });
    const api = await appOn(redis.url);
    const cookies = [];
    for (let i = 0; i < 20; i++) cookies.push(cookieFrom(await api.signIn(`user${i}`)));

    await redis.stop();
    await redisServer({ port: redis.port, appendOnlyDir: dir });
    await expect.poll(async () => (await api.health()).status, { timeout: 10_000, interval: 50 }).toBe(200);

    for (const cookie of cookies) expect((await api.getSession(cookie)).status).toBe(200);
    expect((await api.heartbeat(cookies[0], {})).status).toBe(200);
  }, 40_000);
});
