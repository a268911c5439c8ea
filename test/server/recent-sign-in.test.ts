/**
 * Recent sign-in ("sudo mode", ASVS 5 V7.5.2) and forgetting devices (issue 20), on every store:
 * ending sessions and forgetting devices need the password entered in this session within
 * REAUTH_WINDOW; re-entering it is throttled like a sign-in; a forgotten device token is refused
 * like a forged one. The wire contract is in test/contract/session-api.contract.ts.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultSessionConfig } from '../../server/session/policy';
import type { SessionListResponse } from '../../shared/contract';
import { createRedisStore } from '../../server/stores/redis';
import type { Store } from '../../server/stores/store';
import { startRedisServer } from '../support/redis-server';
import { cookieFrom, type TestApp } from '../support/test-server';
import { apiClient, createStore, expectError, json, logEntries, useTestApps } from './helpers';

// Loud skip without redis-server; under CI=true startRedisServer throws and this file fails.
const redis = await startRedisServer();
afterAll(() => redis?.stop());

const { inProcess } = useTestApps();
const { reauthWindowMs, maxFailuresPerUserAndClient } = defaultSessionConfig;

const stores: Array<[string, (() => Promise<Store>) | undefined]> = [
  ['memory', async () => createStore('memory')],
  ['sqlite', async () => createStore('sqlite')],
  ['redis', redis && (() => createRedisStore(redis.url))],
];

const from = (address: string) => ({ 'X-Test-Client': address });

describe.each(stores)('recent sign-in on %s', (_, makeStore) => {
  beforeEach(async () => {
    if (redis) {
      const admin = new Redis(redis.url, { lazyConnect: true });
      await admin.connect();
      await admin.flushdb();
      await admin.quit();
    }
  });

  /** Alice signed in on two browsers; `here` has its session and device cookies together. */
  async function twoBrowsers(session = {}) {
    // Sessions that outlive the re-entry window without heartbeats.
    const server = await inProcess({
      store: await makeStore!(),
      session: { idleTimeoutMs: 2 * 60 * 60_000, warningMs: 60_000, ...session },
    });
    const api = apiClient(server);
    const signInHere = await api.signIn('alice');
    const here = `${cookieFrom(signInHere)}; ${cookieFrom(signInHere, 'did')}`;
    const signInThere = await api.signIn('alice', 'alice_secret', { headers: from('192.0.2.9') });
    const there = cookieFrom(signInThere);
    const thereDevice = cookieFrom(signInThere, 'did');
    const listed = (await (await api.call('/api/sessions', { cookie: here })).json()) as SessionListResponse;
    const otherId = listed.sessions.find((session) => !session.current)!.id;
    return { server, api, here, there, thereDevice, otherId };
  }

  const reauth = (server: TestApp, cookie: string, password: string, headers = {}) =>
    apiClient(server).call('/api/session/reauth', {
      method: 'POST',
      cookie,
      headers: { ...json, ...headers },
      body: JSON.stringify({ password }),
    });

  it.skipIf(!makeStore)('counts the sign-in itself: just signed in, ending another session works', async () => {
    const { api, here, there, otherId } = await twoBrowsers();

    expect((await api.call(`/api/sessions/${otherId}`, { method: 'DELETE', cookie: here })).status).toBe(204);
    await expectError(await api.getSession(there), 401, 'session_revoked');
  });

  it.skipIf(!makeStore)(
    'asks for the password again (401 reauth_required) past REAUTH_WINDOW, and ends nothing meanwhile',
    async () => {
      const { server, api, here, there, otherId } = await twoBrowsers();
      server.clock.advance(reauthWindowMs);

      for (const [path, method] of [
        [`/api/sessions/${otherId}`, 'DELETE'],
        ['/api/sessions/no-such-id', 'DELETE'],
        ['/api/sessions?keep=current', 'DELETE'],
        ['/api/devices?keep=current', 'DELETE'],
      ]) {
        const response = await api.call(path, { method, cookie: here });
        await expectError(response, 401, 'reauth_required');
        // The session is live: its cookie stays.
        expect(response.headers.get('Set-Cookie')).toBeNull();
      }
      expect((await api.getSession(there)).status).toBe(200);
      expect((await api.getSession(here)).status).toBe(200);
    },
  );

  it.skipIf(!makeStore)(
    'lets the session end others for REAUTH_WINDOW after the password is entered again, and no longer',
    async () => {
      const { server, api, here, there, otherId } = await twoBrowsers();
      server.clock.advance(reauthWindowMs + 60_000);
      // Heartbeats keep the session alive; they are no password.
      await api.heartbeat(here, { idleForMs: 0 });

      await expectError(await reauth(server, here, 'wrong'), 401, 'invalid_credentials');
      await expectError(
        await api.call(`/api/sessions/${otherId}`, { method: 'DELETE', cookie: here }),
        401,
        'reauth_required',
      );
      expect((await reauth(server, here, 'alice_secret')).status).toBe(204);
      server.clock.advance(reauthWindowMs - 1);
      expect((await api.call(`/api/sessions/${otherId}`, { method: 'DELETE', cookie: here })).status).toBe(204);
      await expectError(await api.getSession(there), 401, 'session_revoked');

      server.clock.advance(1);
      await expectError(
        await api.call('/api/sessions?keep=current', { method: 'DELETE', cookie: here }),
        401,
        'reauth_required',
      );
      const logged = logEntries(server.logs).filter((entry) => entry.event === 'reauth');
      expect(logged.map((entry) => [entry.level, entry.outcome])).toEqual([
        ['warn', 'failure'],
        ['info', 'success'],
      ]);
      expect(server.logs.join('\n')).not.toMatch(/alice_secret|"wrong"/);
    },
  );

  it.skipIf(!makeStore)('answers 401 unauthenticated to a re-entry without a live session', async () => {
    const { server, api, there, here, otherId } = await twoBrowsers();
    await api.call(`/api/sessions/${otherId}`, { method: 'DELETE', cookie: here });

    await expectError(await reauth(server, there, 'alice_secret'), 401, 'session_revoked');
    await expectError(await reauth(server, '', 'alice_secret'), 401, 'unauthenticated');
  });

  it.skipIf(!makeStore)('counts failed re-entries toward the sign-in throttle, like failed sign-ins', async () => {
    const { server, api, here } = await twoBrowsers({ maxConsecutiveFailures: 8 });
    const session = here.split('; ')[0];
    const attacker = from('198.51.100.7');
    for (let i = 0; i < maxFailuresPerUserAndClient; i++) {
      await expectError(await reauth(server, session, `guess-${i}`, attacker), 401, 'invalid_credentials');
    }

    const limited = await reauth(server, session, 'alice_secret', attacker);
    await expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    // The same budget as sign-in: that address cannot sign in as alice either.
    await expectError(await api.signIn('alice', 'alice_secret', { headers: attacker }), 429, 'rate_limited');
    // And the username lock counts them too.
    for (let i = 0; i < 3; i++) await reauth(server, session, 'wrong', from(`10.0.0.${i}`));
    expect(logEntries(server.logs).filter((entry) => entry.event === 'sign_in_locked')).toHaveLength(1);
  });

  it.skipIf(!makeStore)(
    'forgets every other browser’s device token but this one’s, and a forgotten token is refused like a forged one',
    async () => {
      const { server, api, here, thereDevice } = await twoBrowsers({ maxConsecutiveFailures: 3 });
      const hereDevice = here.split('; ')[1];

      expect((await api.call('/api/devices?keep=current', { method: 'DELETE', cookie: here })).status).toBe(204);
      expect(logEntries(server.logs).find((entry) => entry.event === 'devices_forgotten')).toMatchObject({
        user: 'alice',
        count: 1,
      });

      // Lock the username: only a browser with a valid token for it gets in now.
      for (let i = 0; i < 3; i++) await api.signIn('alice', 'wrong', { headers: from(`10.1.0.${i}`) });
      await expectError(await api.signIn('alice', 'alice_secret', { cookie: thereDevice }), 429, 'rate_limited');
      await expectError(
        await api.signIn('alice', 'alice_secret', { cookie: 'did=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }),
        429,
        'rate_limited',
      );
      expect((await api.signIn('alice', 'alice_secret', { cookie: hereDevice })).status).toBe(201);
    },
  );

  it.skipIf(!makeStore)('forgets only the user’s own tokens, and all of them from a browser without one', async () => {
    const { server, api, here, thereDevice } = await twoBrowsers({ maxConsecutiveFailures: 3 });
    const bob = await api.signIn('bob');
    const bobDevice = cookieFrom(bob, 'did');
    const sessionOnly = here.split('; ')[0];

    expect((await api.call('/api/devices?keep=current', { method: 'DELETE', cookie: sessionOnly })).status).toBe(204);

    expect(logEntries(server.logs).find((entry) => entry.event === 'devices_forgotten')).toMatchObject({ count: 2 });
    for (let i = 0; i < 3; i++) await api.signIn('bob', 'wrong', { headers: from(`10.2.0.${i}`) });
    expect((await api.signIn('bob', 'bob_secret', { cookie: bobDevice })).status).toBe(201);
    expect(thereDevice).toMatch(/did=/);
  });
});
