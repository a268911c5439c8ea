/**
 * Every row of the API table ([docs/design.md#http-api](../../docs/design.md#http-api)): in-process,
 * and over real HTTP where a body limit needs a socket.
 */
import { describe, expect, it } from 'vitest';
import { defaultSessionConfig } from '../../server/session/policy';
import { cookieFrom } from '../support/test-server';
import {
  apiClient,
  createStore,
  expectError,
  json,
  rawRequest,
  sessionBody,
  storeKinds,
  useTestApps,
  withFailingPing,
} from './helpers';

const { inProcess, overHttp } = useTestApps();

const expectedTiming = {
  idleTimeoutMs: 60_000,
  warningMs: 30_000,
  idleExpiresInMs: 60_000,
  absoluteExpiresInMs: defaultSessionConfig.absoluteTimeoutMs,
  heartbeatIntervalMs: 10_000, // (60 s - 30 s) / 3
};

describe.each(storeKinds)('with the %s store', (kind) => {
  describe('POST /api/session (sign in)', () => {
    it('answers 201 with the user and the session timing, and sets the session cookie', async () => {
      const server = await inProcess({ store: kind });
      const response = await apiClient(server).signIn('test', 'test_secret');

      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({
        user: { username: 'test' },
        session: { ...expectedTiming, id: expect.stringMatching(/^[\w-]{22}$/) },
      });
      expect(cookieFrom(response)).toMatch(/^sid=[A-Za-z0-9_-]{43}$/);
    });

    it('checks passwords with the credential check it is given: the demo rule is only the default', async () => {
      const server = await inProcess({
        store: kind,
        credentials: async (username, password) => username === 'ada' && password === 'correct horse',
      });
      await expectError(await apiClient(server).signIn('ada', 'ada_secret'), 401, 'invalid_credentials');
      expect((await apiClient(server).signIn('ada', 'correct horse')).status).toBe(201);
    });

    it('answers 400 to a body without the fields it needs', async () => {
      const server = await inProcess({ store: kind });
      const response = await apiClient(server).signInRaw('{"username":"test"}');

      await expectError(response, 400, 'bad_request');
      expect(response.headers.get('Set-Cookie')).toBeNull();
    });

    it('answers 401 invalid_credentials to a wrong password, with no cookie', async () => {
      const server = await inProcess({ store: kind });
      const response = await apiClient(server).signIn('test', 'wrong');

      await expectError(response, 401, 'invalid_credentials');
      expect(response.headers.get('Set-Cookie')).toBeNull();
    });

    it('says the same thing for a username that looks unknown as for a wrong password', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const wrongPassword = await api.signIn('test', 'test_wrong');
      const unknownUser = await api.signIn('no-such-user-xyz', 'whatever');

      expect(unknownUser.status).toBe(wrongPassword.status);
      // The same body but for each request's own id.
      const withoutId = async (response: Response) => ({ ...(await response.json()), requestId: undefined });
      expect(await withoutId(unknownUser)).toEqual(await withoutId(wrongPassword));
    });

    it('answers 413 to a 1 MB body', async () => {
      const server = await overHttp({ store: kind });
      const response = await rawRequest(server.url, {
        method: 'POST',
        path: '/api/session',
        headers: json,
        body: JSON.stringify({ username: 'test', password: 'x'.repeat(1024 * 1024) }),
      });

      expect(response.status).toBe(413);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'payload_too_large' });
      expect(response.headers['set-cookie']).toBeUndefined();
    });

    it.each([
      ['text/plain', 'text/plain', JSON.stringify({ username: 'test', password: 'test_secret' })],
      ['form-urlencoded', 'application/x-www-form-urlencoded', 'username=test&password=test_secret'],
    ])('answers 415 to a %s body, even with the right credentials', async (_name, contentType, body) => {
      const server = await inProcess({ store: kind });
      const response = await apiClient(server).signInRaw(body, { headers: { 'Content-Type': contentType } });

      await expectError(response, 415, 'unsupported_media_type');
      expect(response.headers.get('Set-Cookie')).toBeNull();
    });

    it('answers 429 rate_limited with Retry-After after too many failures', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < defaultSessionConfig.maxFailuresPerUserAndClient; i++) await api.signIn('test', 'wrong');

      const response = await api.signIn('test', 'wrong');

      const body = await expectError(response, 429, 'rate_limited');
      expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0);
      expect(body.retryAfterSeconds).toBe(Number(response.headers.get('Retry-After')));
    });
  });

  describe('GET /api/session (who am I)', () => {
    it('answers 200 with the user and the session timing', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn('alice'));

      expect(await sessionBody(await api.getSession(cookie))).toEqual({
        user: { username: 'alice' },
        session: { ...expectedTiming, id: expect.stringMatching(/^[\w-]{22}$/) },
      });
    });

    it('does not extend the session: the time left shrinks as the clock moves', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());

      server.clock.advance(10_000);
      expect((await sessionBody(await api.getSession(cookie))).session.idleExpiresInMs).toBe(50_000);
      server.clock.advance(10_000);
      expect((await sessionBody(await api.getSession(cookie))).session.idleExpiresInMs).toBe(40_000);
      server.clock.advance(39_999);
      expect((await sessionBody(await api.getSession(cookie))).session.idleExpiresInMs).toBe(1);
      server.clock.advance(1);
      await expectError(await api.getSession(cookie), 401, 'unauthenticated');
    });

    it('answers 401 without a cookie', async () => {
      const server = await inProcess({ store: kind });
      await expectError(await apiClient(server).getSession(), 401, 'unauthenticated');
    });
  });

  describe('POST /api/session/heartbeat', () => {
    it('answers 200 with the session timing and restarts the idle time (no body)', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      server.clock.advance(50_000);

      const response = await api.heartbeat(cookie);

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        session: {
          ...expectedTiming,
          idleExpiresInMs: 60_000,
          absoluteExpiresInMs: expectedTiming.absoluteExpiresInMs - 50_000,
        },
      });
      server.clock.advance(59_999);
      expect((await api.getSession(cookie)).status).toBe(200);
    });

    it('extends with an empty JSON object body too', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      server.clock.advance(50_000);

      const response = await api.heartbeat(cookie, {});

      expect(response.status).toBe(200);
      expect(((await response.json()) as { session: { idleExpiresInMs: number } }).session.idleExpiresInMs).toBe(
        60_000,
      );
    });

    it('counts idle time from the last activity the client reports (idleForMs)', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      server.clock.advance(30_000);

      const response = await api.heartbeat(cookie, { idleForMs: 4_000 });

      expect((await sessionBody(response)).session.idleExpiresInMs).toBe(56_000);
    });

    it('dates activity older than the heartbeat interval when it happened (a retry after an outage)', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      server.clock.advance(30_000);

      const response = await api.heartbeat(cookie, { idleForMs: 25_000 });

      // 25 s is more than the 10 s heartbeat interval: still dated 25 s ago, so 35 s are left.
      expect((await sessionBody(response)).session.idleExpiresInMs).toBe(35_000);
      server.clock.advance(35_000);
      expect((await api.getSession(cookie)).status).toBe(401);
    });

    it('clamps idleForMs to the idle timeout: an older claim only leaves the session as it was', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      server.clock.advance(30_000);

      const response = await api.heartbeat(cookie, { idleForMs: 1e12 });

      // Dated 60 s ago, before the sign-in 30 s ago: activity never moves back, 30 s are left.
      expect((await sessionBody(response)).session.idleExpiresInMs).toBe(30_000);
    });

    it('clamps a negative idleForMs to 0: no activity in the future', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      server.clock.advance(30_000);

      const response = await api.heartbeat(cookie, { idleForMs: -5_000 });

      expect((await sessionBody(response)).session.idleExpiresInMs).toBe(60_000);
      server.clock.advance(60_000);
      expect((await api.getSession(cookie)).status).toBe(401);
    });

    it('never moves the last activity backwards', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      server.clock.advance(5_000);
      await api.heartbeat(cookie, { idleForMs: 0 });

      // Claims activity 10 s ago, i.e. before the activity already reported 0 s ago.
      const response = await api.heartbeat(cookie, { idleForMs: 10_000 });

      expect((await sessionBody(response)).session.idleExpiresInMs).toBe(60_000);
    });

    it('answers 401 without a cookie', async () => {
      const server = await inProcess({ store: kind });
      await expectError(await apiClient(server).heartbeat(undefined, {}), 401, 'unauthenticated');
    });

    it('answers 400 to a bad body and does not extend the session', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      server.clock.advance(30_000);

      await expectError(await api.heartbeat(cookie, { idleForMs: 'soon' }), 400, 'bad_request');
      expect((await sessionBody(await api.getSession(cookie))).session.idleExpiresInMs).toBe(30_000);
    });
  });

  describe('DELETE /api/session (sign out)', () => {
    it('answers 204, ends the session and clears the cookie', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());

      const response = await api.signOut(cookie);

      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
      expect(response.headers.get('Set-Cookie')).toMatch(/^sid=;.*Max-Age=0/);
      expect(response.headers.get('Clear-Site-Data')).toBe('"storage"');
      await expectError(await api.getSession(cookie), 401, 'unauthenticated');
    });

    it('is idempotent: 204 again, and 204 without any cookie', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      await api.signOut(cookie);

      expect((await api.signOut(cookie)).status).toBe(204);
      expect((await api.signOut()).status).toBe(204);
    });
  });

  describe('GET /api/session/policy', () => {
    it('answers 200 with the limits, without a session', async () => {
      const server = await inProcess({ store: kind, session: { absoluteTimeoutMs: 4 * 60 * 60_000 } });
      const response = await apiClient(server).call('/api/session/policy');

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        idleTimeoutMs: 60_000,
        warningMs: 30_000,
        absoluteTimeoutMs: 4 * 60 * 60_000,
        draftRetentionMs: 24 * 60 * 60_000,
        frameOrigins: [],
      });
      expect(response.headers.get('Cache-Control')).toBe('no-store');
    });

    it('answers 405 to anything but GET', async () => {
      const server = await inProcess({ store: kind });
      const response = await apiClient(server).call('/api/session/policy', { method: 'POST' });

      await expectError(response, 405, 'method_not_allowed');
      expect(response.headers.get('Allow')).toBe('GET');
    });
  });

  describe('GET /api/hello (the protected resource)', () => {
    it('answers 200 Hello World! when signed in', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());

      const response = await api.hello(cookie);

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ message: 'Hello World!' });
    });

    it('does not extend the session', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      server.clock.advance(59_000);
      expect((await api.hello(cookie)).status).toBe(200);

      server.clock.advance(1_000);

      await expectError(await api.hello(cookie), 401, 'unauthenticated');
    });

    it('answers 401 without a cookie', async () => {
      const server = await inProcess({ store: kind });
      await expectError(await apiClient(server).hello(), 401, 'unauthenticated');
    });
  });

  describe('GET /api/health', () => {
    it('answers 200 {status: ok} when the store answers', async () => {
      const server = await inProcess({ store: kind });
      const response = await apiClient(server).health();

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    });

    it('answers 503 when the store is down, and logs why', async () => {
      const server = await inProcess({ store: withFailingPing(createStore(kind)) });
      const response = await apiClient(server).health();

      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'unavailable' });
      expect(server.logs.some((line) => line.includes('"store_unavailable"') && line.includes('store is down'))).toBe(
        true,
      );
    });
  });

  describe('every /api response', () => {
    it('says Cache-Control: no-store, successes and errors alike', async () => {
      const server = await overHttp({ store: kind });
      const api = apiClient(server);
      const signedIn = await api.signIn();
      const cookie = cookieFrom(signedIn);
      const responses = [
        signedIn,
        await api.signIn('test', 'wrong'),
        await api.signInRaw('not json'),
        await api.signInRaw('{}', { headers: { 'Content-Type': 'text/plain' } }),
        await api.signInRaw('{}', { headers: { Origin: 'https://evil.example' } }),
        await api.getSession(cookie),
        await api.getSession(),
        await api.heartbeat(cookie),
        await api.hello(cookie),
        await api.hello(),
        await api.health(),
        await api.call('/api/nowhere'),
        await api.call('/api/hello', { method: 'PUT' }),
        await api.signOut(cookie),
      ];
      const bigBody = await rawRequest(server.url, {
        method: 'POST',
        path: '/api/session',
        headers: json,
        body: 'x'.repeat(1024 * 1024),
      });

      for (const response of responses) {
        expect(`${response.url} ${response.status} ${response.headers.get('Cache-Control')}`).toMatch(/ no-store$/);
      }
      expect(bigBody.headers['cache-control']).toBe('no-store');
    });
  });
});
