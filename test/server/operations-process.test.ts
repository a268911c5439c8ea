/**
 * Operating the compiled server (issue 21), as processes: two instances on one Redis with
 * METRICS_PORT on, and the operator command (`build/server/sessions.js`, what `npm run sessions`
 * runs) beside them. The command ends a user's sessions and both instances answer
 * `session_revoked`; the metrics are on their own port and not on the public one; readiness is
 * 503 while Redis is stopped and 200 once it is back, and 503 `draining` after SIGTERM.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../../scripts/lib/app-server.mjs';
import { sessionsEntry } from '../../scripts/build.mjs';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { cookieFrom, fetchAt } from '../support/test-server';
import { apiClient, logEntries } from './helpers';

const run = promisify(execFile);
/** Sessions that outlast the next minute, so `stats` tells the minute from the hour. */
const longer = { IDLE_TIMEOUT: '15m', IDLE_WARNING: '2m' };
const processTimeoutMs = 15_000;

const running: AppServer[] = [];
const redises: RedisServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});
afterAll(async () => {
  await Promise.all(redises.map((redis) => redis.stop()));
});

// Loud skip without redis-server; under CI=true startRedisServer throws and this file fails.
const firstRedis = await startRedisServer();
if (firstRedis) redises.push(firstRedis);

async function instance(redisUrl: string, env: Record<string, string> = {}) {
  const server = await startAppServer({
    env: { SESSION_STORE: 'redis', REDIS_URL: redisUrl, STATIC_DIR: '', METRICS_PORT: '0', ...env },
    startTimeoutMs: processTimeoutMs,
  });
  running.push(server);
  // The metrics listener says where it is (METRICS_PORT=0 took a free port).
  let metricsUrl = '';
  await expect
    .poll(
      () =>
        (metricsUrl = String(
          logEntries(
            server
              .stdout()
              .split('\n')
              .filter((line) => line.startsWith('{')),
          ).find((line) => line.event === 'metrics_listening')?.url ?? '',
        )),
      { timeout: processTimeoutMs, interval: 20 },
    )
    .not.toBe('');
  return { server, api: apiClient({ fetch: fetchAt(server.url), origin: server.url }), metricsUrl };
}

/** `npm run sessions -- <args>` as it runs: the compiled command, the server's settings. */
async function sessionsCommand(redisUrl: string, args: string[]) {
  return run(process.execPath, [sessionsEntry, ...args], {
    env: { ...process.env, SESSION_STORE: 'redis', REDIS_URL: redisUrl, ...longer },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ ...error }),
  );
}

const metricValue = (text: string, series: string) => {
  const line = text.split('\n').find((entry) => entry.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe.skipIf(!firstRedis)('two instances on one Redis, and the operator command', () => {
  it("ends a user's sessions while both run: each instance answers session_revoked, and the metrics say so", async () => {
    const redisUrl = firstRedis!.url;
    const [a, b] = [await instance(redisUrl, longer), await instance(redisUrl, longer)];
    const alice = [cookieFrom(await a.api.signIn('alice')), cookieFrom(await b.api.signIn('alice'))];
    const bob = cookieFrom(await b.api.signIn('bob'));

    const listed = await sessionsCommand(redisUrl, ['list', '--user', 'alice']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+USER\s+BROWSER\s+SIGNED IN\s+LAST ACTIVE\s+EXPIRES/m);
    expect(listed.stdout).toContain('2 live sessions of "alice" in redis (redis://127.0.0.1:');

    const ended = await sessionsCommand(redisUrl, ['end', '--user', 'alice']);
    expect(ended.code).toBe(0);
    expect(ended.stdout).toContain('Ended 2 sessions of "alice"');
    const log = logEntries(ended.stderr.split('\n').filter((line) => line.startsWith('{')));
    expect(log).toEqual([
      expect.objectContaining({ event: 'sessions_ended_by_operator', count: 2, scope: 'user', user: 'alice' }),
    ]);

    for (const [api, cookie] of [
      [a.api, alice[0]],
      [b.api, alice[1]],
      [a.api, alice[1]],
      [b.api, alice[0]],
    ] as const) {
      const answer = await api.heartbeat(cookie, {});
      expect(answer.status).toBe(401);
      expect(((await answer.json()) as { error: string }).error).toBe('session_revoked');
    }
    expect((await a.api.heartbeat(bob, {})).status).toBe(200);
    // The browsers sign out after their 401: each instance counts the operator's end it deleted.
    await a.api.signOut(alice[0]);
    await b.api.signOut(alice[1]);

    const [metricsA, metricsB] = await Promise.all(
      [a, b].map(async ({ metricsUrl }) => (await fetch(metricsUrl)).text()),
    );
    expect(metricValue(metricsA, 'idle_session_session_ends_total{reason="operator"}')).toBe(1);
    expect(metricValue(metricsB, 'idle_session_session_ends_total{reason="operator"}')).toBe(1);
    expect(metricValue(metricsA, 'idle_session_sign_ins_total{outcome="success"}')).toBe(1);
    expect(metricValue(metricsB, 'idle_session_sign_ins_total{outcome="success"}')).toBe(2);
    expect(metricValue(metricsA, 'idle_session_active_sessions')).toBe(1);
    expect(metricValue(metricsB, 'idle_session_active_sessions')).toBe(1);

    const stats = await sessionsCommand(redisUrl, ['stats']);
    expect(stats.stdout).toMatch(/live sessions:\s+1\n/);
    expect(stats.stdout).toMatch(/users with live sessions:\s+1\n/);
    expect(stats.stdout).toMatch(/ending in the next minute:\s+0\n/);
    expect(stats.stdout).toMatch(/ending in the next hour:\s+1\n/);

    // end --all without a terminal asks for --yes; with it, bob goes too.
    const refused = await sessionsCommand(redisUrl, ['end', '--all']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('without --yes');
    expect((await a.api.heartbeat(bob, {})).status).toBe(200);
    const all = await sessionsCommand(redisUrl, ['end', '--all', '--yes']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('Ended 1 session in redis');
    expect((await b.api.heartbeat(bob, {})).status).toBe(401);
  }, 60_000);

  it('serves the metrics on their own port only; the public port has none', async () => {
    const { server, metricsUrl } = await instance(firstRedis!.url);
    expect(new URL(metricsUrl).port).not.toBe(String(server.port));
    expect(new URL(metricsUrl).hostname).toBe('127.0.0.1');
    const metrics = await fetch(metricsUrl);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE idle_session_active_sessions gauge');
    for (const path of ['/metrics', '/api/metrics', '/metrics/']) {
      const answer = await fetch(server.url + path);
      expect(answer.status).toBe(404);
      expect(await answer.text()).not.toContain('idle_session_');
    }
    // And the metrics port answers nothing of the app.
    expect((await fetch(new URL('/api/health', metricsUrl))).status).toBe(404);
  }, 30_000);

  it('says clearly what is wrong: a bad argument (exit 2), an unreachable store (exit 1)', async () => {
    const bad = await sessionsCommand(firstRedis!.url, ['end']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('end needs either --user NAME or --all.');
    expect(bad.stderr).toContain('Usage: npm run sessions -- <command>');
    for (const args of [['frobnicate'], ['list', '--all'], ['end', '--user', 'a', '--all'], ['stats', 'extra']]) {
      const wrong = await sessionsCommand(firstRedis!.url, args);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('Usage:');
    }
    const unreachable = await sessionsCommand('redis://127.0.0.1:1', ['list']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /^Cannot open the session store \(SESSION_STORE=redis\): Cannot connect to Redis/,
    );
  }, 30_000);
});

describe.skipIf(!firstRedis)('readiness', () => {
  it('is 503 while Redis is stopped and 200 once it is back; live stays 200', async () => {
    const redis = (await startRedisServer())!;
    redises.push(redis);
    const { server } = await instance(redis.url);
    const status = async (path: string) => (await fetch(server.url + path)).status;
    expect(await status('/api/health/ready')).toBe(200);

    await redis.stop();
    await expect.poll(() => status('/api/health/ready'), { timeout: 10_000, interval: 50 }).toBe(503);
    expect(await status('/api/health/live')).toBe(200);

    redises.push((await startRedisServer({ port: redis.port }))!);
    await expect.poll(() => status('/api/health/ready'), { timeout: 10_000, interval: 50 }).toBe(200);
  }, 40_000);

  it('is 503 draining after SIGTERM while SHUTDOWN_DRAIN lasts, with requests still served, then the server exits', async () => {
    const { server, api } = await instance(firstRedis!.url, { SHUTDOWN_DRAIN: '3s' });
    const stopped = server.stop();
    await expect
      .poll(async () => (await fetch(server.url + '/api/health/ready')).status, { timeout: 3_000, interval: 20 })
      .toBe(503);
    expect((await fetch(server.url + '/api/health/live')).status).toBe(200);
    expect((await api.signIn('late')).status).toBe(201);
    expect((await stopped).code).toBe(0);
  }, 30_000);
});
