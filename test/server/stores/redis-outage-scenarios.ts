/**
 * The store outages of decision 018 as scenarios that run on any Redis deployment: one
 * redis-server (redis-outage.test.ts) and a Redis Cluster (redis-cluster.test.ts). A deployment
 * hands over how to hang, kill and restart it; the scenarios check what a browser sees: every
 * request answers 503 `store_unavailable` with `Retry-After` within 3 s (the health checks 503
 * too), never 401 or 500, never hangs; and once the store is back, the same sessions answer 200
 * with no server restart.
 */
import { describe, expect, it } from 'vitest';
import type { SessionTiming } from '../../../shared/contract';
import type { Store } from '../../../server/stores/store';
import { storeRetryAfterSeconds } from '../../../server/stores/unavailable';
import { cookieFrom, createTestClock } from '../../support/test-server';
import { apiClient, expectError, useTestApps } from '../helpers';

/** A running Redis (one server or a whole cluster) and the ways it can fail. */
export interface OutageDeployment {
  /** A new store (its own client) on this deployment. */
  openStore(): Promise<Store>;
  /** SIGSTOP: the processes and their sockets stay, nothing answers. */
  hang(): void;
  /** SIGCONT after `hang`. */
  resume(): void;
  /** SIGKILL every process: gone at once, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again where it was (same ports, same data directories); resolves once it runs. */
  restart(): Promise<void>;
  /** Whether a restart finds what was written before the kill (appendonly), or nothing. */
  keepsData: boolean;
}

export interface OutageTarget {
  /** A deployment with no data in it: a new server, or a shared one emptied. */
  deploy(): Promise<OutageDeployment>;
  /** How long the hang scenario keeps it stopped: rounds of requests, each answered within 3 s, fill it. */
  hangMs: number;
}

/** The bound the issue sets: a client learns of store trouble within this long. */
export const answerWithinMs = 3_000;

/** How long a store may take to serve again after SIGCONT or a restart before a scenario fails. */
const recoverWithinMs = 20_000;

type Api = ReturnType<typeof apiClient>;

/**
 * One of each request a signed-in user's browser makes, and the two store health checks, at
 * once; checks each is a 503 (`store_unavailable` with `Retry-After` for the API, `unavailable`
 * for the health checks) and that all answered within `answerWithinMs`.
 */
export async function expectEveryRequestUnavailable(api: Api, cookie: string, otherCookie: string): Promise<void> {
  const before = performance.now();
  const [health, ready, ...responses] = await Promise.all([
    api.health(),
    api.call('/api/health/ready'),
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
  for (const check of [health, ready]) {
    expect({ status: check.status, body: await check.json() }).toEqual({
      status: 503,
      body: { status: 'unavailable' },
    });
    expect(check.headers.get('Retry-After')).toBe(String(storeRetryAfterSeconds));
  }
  expect(elapsed).toBeLessThan(answerWithinMs);
}

/** The timing `GET /api/session` answers for `cookie` (a 200 is expected). */
async function sessionOf(api: Api, cookie: string): Promise<SessionTiming> {
  const response = await api.getSession(cookie);
  expect(response.status).toBe(200);
  return ((await response.json()) as { session: SessionTiming }).session;
}

/** Statuses of the health checks and of `cookie`'s session, for polling until all are 200. */
async function statusesFor(api: Api, cookie: string): Promise<number[]> {
  const responses = await Promise.all([api.health(), api.call('/api/health/ready'), api.getSession(cookie)]);
  return responses.map((response) => response.status);
}

/** Polls until the health checks and `cookie`'s session answer 200; returns how long that took. */
async function msUntilServing(api: Api, cookie: string, label: string): Promise<number> {
  const from = performance.now();
  const seen = new Set<number>();
  await expect
    .poll(
      async () => {
        const statuses = await statusesFor(api, cookie);
        for (const status of statuses) seen.add(status);
        return statuses;
      },
      { timeout: recoverWithinMs, interval: 50 },
    )
    .toEqual([200, 200, 200]);
  const ms = Math.round(performance.now() - from);
  // Only 200 and "not now" on the way: a 401 would be a session lost, a 500 a bug.
  expect([...seen].filter((status) => status !== 200 && status !== 503)).toEqual([]);
  console.log(`${label}: serving again ${ms} ms later; statuses seen on the way: ${[...seen].sort().join(', ')}`);
  return ms;
}

/**
 * The outage scenarios for `name`'s deployments. Each test takes a fresh deployment from
 * `target.deploy()` and runs the real app on it in-process, with a clock that stands still (only
 * the outage happens).
 */
export function describeOutageScenarios(name: string, target: OutageTarget, { skip = false } = {}): void {
  describe.skipIf(skip)(`the app while ${name} is in trouble`, () => {
    const { inProcess } = useTestApps();
    const appOn = async (deployment: OutageDeployment, clock = createTestClock()) =>
      apiClient(await inProcess({ store: await deployment.openStore(), clock }));

    it(`hung (SIGSTOP for ${target.hangMs / 1000} s): 503 within 3 s all along; after SIGCONT the same sessions work`, async () => {
      const deployment = await target.deploy();
      const api = await appOn(deployment);
      const cookie = cookieFrom(await api.signIn('alice'));
      const otherCookie = cookieFrom(await api.signIn('bob'));

      deployment.hang();
      const pausedAt = Date.now();
      let rounds = 0;
      try {
        while (Date.now() - pausedAt < target.hangMs) {
          await expectEveryRequestUnavailable(api, cookie, otherCookie);
          rounds++;
        }
      } finally {
        deployment.resume();
      }
      expect(rounds).toBeGreaterThanOrEqual(Math.floor(target.hangMs / answerWithinMs));

      // Recovery without a restart: the next requests find Redis and the session in it. (Not
      // bob's: his sign-out, answered 503, may still run once the commands queued in Redis's
      // sockets do, decision 018.)
      await msUntilServing(api, cookie, `${name}, after SIGCONT`);
      expect((await api.heartbeat(cookie, { idleForMs: 0 })).status).toBe(200);
    }, 60_000);

    it('killed and restarted: 503 within 3 s while it is gone, 200 again once it is back, without a restart', async () => {
      const deployment = await target.deploy();
      const clock = createTestClock();
      const api = await appOn(deployment, clock);
      const cookie = cookieFrom(await api.signIn('alice'));
      const otherCookie = cookieFrom(await api.signIn('bob'));
      // Five seconds on, so that a heartbeat the store ran would move alice's deadline.
      clock.advance(5_000);
      const deadline = (await sessionOf(api, cookie)).idleExpiresInMs;

      await deployment.kill();
      await expectEveryRequestUnavailable(api, cookie, otherCookie);
      await expectEveryRequestUnavailable(api, cookie, otherCookie);

      await deployment.restart();
      if (deployment.keepsData) {
        // appendonly: every session it had acknowledged is there again.
        await msUntilServing(api, cookie, `${name}, after the restart`);
        // What was answered 503 did not happen later either: no command waited in a client queue
        // for the store to come back (the refused heartbeats did not move alice's deadline).
        expect((await sessionOf(api, cookie)).idleExpiresInMs).toBe(deadline);
        expect((await api.heartbeat(cookie, { idleForMs: 0 })).status).toBe(200);
      } else {
        // No persistence: the session is gone (401, not a 503 that never ends); a new sign-in works.
        await expect
          .poll(async () => (await api.health()).status, { timeout: recoverWithinMs, interval: 50 })
          .toBe(200);
        expect((await api.getSession(cookie)).status).toBe(401);
        expect((await api.signIn('alice')).status).toBe(201);
      }
    }, 60_000);
  });
}
