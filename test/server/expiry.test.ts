/** The timing model ([docs/design.md#timing-model](../../docs/design.md#timing-model)): idle and absolute deadlines, to the millisecond. */
import { describe, expect, it } from 'vitest';
import { hashSessionId } from '../../server/session/ids';
import { cookieFrom } from '../support/test-server';
import { apiClient, expectError, sessionBody, sessionIdOf, storeKinds, useTestApps } from './helpers';

const { inProcess } = useTestApps();

const idleTimeoutMs = 60_000;
const absoluteTimeoutMs = 5 * 60_000;

describe.each(storeKinds)('with the %s store', (kind) => {
  describe('idle expiry', () => {
    it('keeps the session valid 1 ms before the idle deadline and ends it at the deadline', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());

      server.clock.advance(idleTimeoutMs - 1);
      expect((await sessionBody(await api.getSession(cookie))).session.idleExpiresInMs).toBe(1);

      server.clock.advance(1);
      await expectError(await api.getSession(cookie), 401, 'unauthenticated');
    });

    it('moves the deadline to idle timeout after the last heartbeat', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      server.clock.advance(45_000);
      expect((await api.heartbeat(cookie)).status).toBe(200);

      server.clock.advance(idleTimeoutMs - 1);
      expect((await api.hello(cookie)).status).toBe(200);
      server.clock.advance(1);
      await expectError(await api.hello(cookie), 401, 'unauthenticated');
    });

    it('rejects a heartbeat that arrives at the idle deadline, and the session stays ended', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      server.clock.advance(idleTimeoutMs);

      await expectError(await api.heartbeat(cookie, { idleForMs: 0 }), 401, 'unauthenticated');
      server.clock.advance(-idleTimeoutMs);
      await expectError(await api.getSession(cookie), 401, 'unauthenticated');
    });

    it('deletes an expired session from the store, so winding the clock back does not revive it', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      const idHash = await hashSessionId(sessionIdOf(cookie));
      server.clock.advance(idleTimeoutMs);
      await expectError(await api.getSession(cookie), 401, 'unauthenticated');

      expect(await server.store.get(idHash)).toBeUndefined();
    });
  });

  describe('absolute expiry', () => {
    it('ends the session at the absolute limit even for a user who is always active', async () => {
      const server = await inProcess({ store: kind, session: { absoluteTimeoutMs } });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      const signedInAt = server.clock.now();

      // A heartbeat every 20 s, well within the idle timeout, right up to the limit.
      for (let elapsed = 20_000; elapsed < absoluteTimeoutMs; elapsed += 20_000) {
        server.clock.set(signedInAt + elapsed);
        expect((await api.heartbeat(cookie)).status).toBe(200);
      }

      server.clock.set(signedInAt + absoluteTimeoutMs - 1);
      expect((await sessionBody(await api.getSession(cookie))).session.absoluteExpiresInMs).toBe(1);
      server.clock.set(signedInAt + absoluteTimeoutMs);
      await expectError(await api.getSession(cookie), 401, 'unauthenticated');
    });

    it('reports both deadlines; a heartbeat just before the absolute limit does not move it', async () => {
      const server = await inProcess({ store: kind, session: { absoluteTimeoutMs } });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      const signedInAt = server.clock.now();
      for (let at = 50_000; at < absoluteTimeoutMs; at += 50_000) {
        server.clock.set(signedInAt + at);
        await api.heartbeat(cookie);
      }

      server.clock.set(signedInAt + absoluteTimeoutMs - 1_000);
      const response = await api.heartbeat(cookie);

      expect((await sessionBody(response)).session).toMatchObject({
        idleExpiresInMs: idleTimeoutMs,
        absoluteExpiresInMs: 1_000,
      });
      server.clock.set(signedInAt + absoluteTimeoutMs - 1);
      expect((await api.hello(cookie)).status).toBe(200);
      server.clock.set(signedInAt + absoluteTimeoutMs);
      await expectError(await api.hello(cookie), 401, 'unauthenticated');
      await expectError(await api.heartbeat(cookie), 401, 'unauthenticated');
    });

    it('counts the absolute limit from sign-in: signing in again starts a new one', async () => {
      const server = await inProcess({ store: kind, session: { absoluteTimeoutMs } });
      const api = apiClient(server);
      const first = cookieFrom(await api.signIn());
      server.clock.advance(50_000);

      const second = cookieFrom(await api.signIn('test', 'test_secret', { cookie: first }));

      expect((await sessionBody(await api.getSession(second))).session.absoluteExpiresInMs).toBe(absoluteTimeoutMs);
    });
  });
});
