import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../server/stores/redis';
import { startRedisServer } from '../../support/redis-server';
import { createTestClock, signIn, startTestServer, type TestServer } from '../../support/test-server';

// The whole app over HTTP on Redis: one instance, then two instances behind an imaginary load
// balancer, sharing one Redis and one (test) clock.

// Loud skip without redis-server; under CI=true startRedisServer throws and this file fails.
const redis = await startRedisServer();
afterAll(() => redis?.stop());

const json = { 'Content-Type': 'application/json' };

function getSession(url: string, cookie: string) {
  return fetch(`${url}/api/session`, { headers: { Cookie: cookie } });
}
function heartbeat(url: string, cookie: string, idleForMs?: number) {
  return fetch(`${url}/api/session/heartbeat`, {
    method: 'POST',
    headers: { ...json, Cookie: cookie },
    body: JSON.stringify(idleForMs === undefined ? {} : { idleForMs }),
  });
}
function signOut(url: string, cookie: string) {
  return fetch(`${url}/api/session`, { method: 'DELETE', headers: { Cookie: cookie } });
}
function attempt(url: string, username: string, password: string, client = '10.0.0.1') {
  return fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { ...json, 'X-Test-Client': client },
    body: JSON.stringify({ username, password }),
  });
}

describe.skipIf(!redis)('the app over HTTP on Redis', () => {
  const servers: TestServer[] = [];
  let clock: ReturnType<typeof createTestClock>;
  const start = async () => {
    const server = await startTestServer({ store: await createRedisStore(redis!.url), clock });
    servers.push(server);
    return server;
  };

  beforeEach(async () => {
    const admin = new Redis(redis!.url, { lazyConnect: true });
    await admin.connect();
    await admin.flushdb();
    await admin.quit();
    clock = createTestClock();
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      await server.close();
      await server.store.close();
    }
  });

  it('signs in, heartbeats, signs out; the old cookie then gets 401, also as a replay', async () => {
    const { url } = await start();
    const cookie = await signIn(url);
    expect((await getSession(url, cookie)).status).toBe(200);
    clock.advance(20_000);
    const beat = await heartbeat(url, cookie);
    expect(beat.status).toBe(200);
    expect((await beat.json()).session.idleExpiresInMs).toBe(60_000);
    expect((await signOut(url, cookie)).status).toBe(204);
    expect((await getSession(url, cookie)).status).toBe(401);
    expect((await heartbeat(url, cookie)).status).toBe(401);
    expect((await fetch(`${url}/api/hello`, { headers: { Cookie: cookie } })).status).toBe(401);
  });

  it('ends an idle session by the app clock, even though Redis time has barely moved', async () => {
    const { url } = await start();
    const cookie = await signIn(url);
    clock.advance(59_999);
    expect((await getSession(url, cookie)).status).toBe(200);
    clock.advance(1);
    expect((await getSession(url, cookie)).status).toBe(401);
    // Revoked on sight: moving the clock back does not revive it.
    clock.advance(-30_000);
    expect((await getSession(url, cookie)).status).toBe(401);
  });

  it('answers /api/health 200 while Redis is up', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
  });

  describe('two instances on one Redis', () => {
    it('a session signed in on A works on B; signed out on B, A answers 401', async () => {
      const [a, b] = [await start(), await start()];
      const cookie = await signIn(a.url);
      expect((await getSession(b.url, cookie)).status).toBe(200);
      expect((await fetch(`${b.url}/api/hello`, { headers: { Cookie: cookie } })).status).toBe(200);
      expect((await signOut(b.url, cookie)).status).toBe(204);
      expect((await getSession(a.url, cookie)).status).toBe(401);
      expect((await heartbeat(a.url, cookie)).status).toBe(401);
    });

    it('a heartbeat on one instance keeps the session alive on the other', async () => {
      const [a, b] = [await start(), await start()];
      const cookie = await signIn(a.url);
      clock.advance(40_000);
      expect((await heartbeat(a.url, cookie)).status).toBe(200);
      clock.advance(40_000); // 80 s after sign-in, 40 s after the heartbeat
      const response = await getSession(b.url, cookie);
      expect(response.status).toBe(200);
      expect((await response.json()).session.idleExpiresInMs).toBe(20_000);
      clock.advance(20_000);
      expect((await getSession(b.url, cookie)).status).toBe(401);
      expect((await heartbeat(a.url, cookie)).status).toBe(401);
    });

    it('counts failed sign-ins across instances: 5 failures split over A and B, then 429 on either', async () => {
      const [a, b] = [await start(), await start()];
      for (const server of [a, b, a, b, a]) {
        expect((await attempt(server.url, 'alice', 'wrong')).status).toBe(401);
      }
      for (const server of [b, a]) {
        // Even the right password is refused while the user is throttled.
        const response = await attempt(server.url, 'alice', 'alice_secret');
        expect(response.status).toBe(429);
        expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0);
      }
      // Another user is not affected.
      expect((await attempt(b.url, 'bob', 'bob_secret')).status).toBe(201);
      // After the window, alice may sign in again, on either instance.
      clock.advance(5 * 60_000);
      expect((await attempt(b.url, 'alice', 'alice_secret')).status).toBe(201);
    });
  });

  it('answers /api/health 503 when Redis goes down, and 200 again when it is back', async () => {
    const own = (await startRedisServer())!;
    const server = await startTestServer({ store: await createRedisStore(own.url), clock });
    servers.push(server);
    try {
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
      await own.stop();
      expect((await fetch(`${server.url}/api/health`)).status).toBe(503);
      const again = (await startRedisServer({ port: own.port }))!;
      try {
        const deadline = Date.now() + 10_000;
        while ((await fetch(`${server.url}/api/health`)).status !== 200) {
          if (Date.now() > deadline) throw new Error('health did not recover');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        await again.stop();
      }
    } finally {
      await own.stop();
    }
  });
});
