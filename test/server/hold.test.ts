/** Session holds (decision 024): a hold heartbeat keeps the session, up to MAX_HOLD and never past the absolute limit. */
import { describe, expect, it } from 'vitest';
import { cookieFrom } from '../support/test-server';
import { apiClient, expectError, logEntries, sessionBody, useTestApps } from './helpers';

const { inProcess } = useTestApps();

const idleTimeoutMs = 60_000;
const maxHoldMs = 10 * 60_000;

async function heldSession(session: Record<string, number> = {}) {
  const server = await inProcess({ session: { maxHoldMs, ...session } });
  const api = apiClient(server);
  const cookie = cookieFrom(await api.signIn('holder'));
  return { server, api, cookie };
}

describe('a hold heartbeat', () => {
  it('extends the session as if the user were active now, however long they have given no input', async () => {
    const { server, api, cookie } = await heldSession();
    server.clock.advance(50_000);

    const response = await api.heartbeat(cookie, { idleForMs: 50_000, hold: 'import' });

    expect(response.status).toBe(200);
    const body = (await sessionBody(response)) as { session: { idleExpiresInMs: number }; hold?: string };
    expect(body.session.idleExpiresInMs).toBe(idleTimeoutMs);
    expect(body.hold).toBe('kept');
  });

  it('keeps a session alive for many idle timeouts, heartbeat after heartbeat', async () => {
    const { server, api, cookie } = await heldSession();
    for (let elapsed = 20_000; elapsed <= 5 * idleTimeoutMs; elapsed += 20_000) {
      server.clock.advance(20_000);
      expect((await api.heartbeat(cookie, { idleForMs: elapsed, hold: 'import' })).status).toBe(200);
    }
    expect((await sessionBody(await api.getSession(cookie))).session.idleExpiresInMs).toBe(idleTimeoutMs);
  });

  it('gets the usual idle rule once the user has given no input for MAX_HOLD', async () => {
    const { server, api, cookie } = await heldSession();
    for (let elapsed = 30_000; elapsed < maxHoldMs; elapsed += 30_000) {
      server.clock.advance(30_000);
      await api.heartbeat(cookie, { idleForMs: elapsed, hold: 'import' });
    }
    server.clock.advance(30_000); // now exactly MAX_HOLD without input: the last kept heartbeat was 30 s ago

    const response = await api.heartbeat(cookie, { idleForMs: maxHoldMs, hold: 'import' });

    const body = (await sessionBody(response)) as { session: { idleExpiresInMs: number }; hold?: string };
    expect(body.hold).toBe('refused');
    expect(body.session.idleExpiresInMs).toBe(idleTimeoutMs - 30_000);
    server.clock.advance(idleTimeoutMs - 30_000);
    expect((await api.heartbeat(cookie, { idleForMs: maxHoldMs + 30_000, hold: 'import' })).status).toBe(401);
  });

  it('never passes the absolute limit', async () => {
    const { server, api, cookie } = await heldSession({ absoluteTimeoutMs: 3 * idleTimeoutMs });
    for (let elapsed = 30_000; elapsed < 3 * idleTimeoutMs; elapsed += 30_000) {
      server.clock.advance(30_000);
      await api.heartbeat(cookie, { idleForMs: elapsed, hold: 'import' });
    }
    server.clock.advance(30_000);

    await expectError(await api.heartbeat(cookie, { idleForMs: 0, hold: 'import' }), 401, 'unauthenticated');
    expect(logEntries(server.logs).find((entry) => entry.event === 'session_expired')?.limit).toBe('absolute');
  });

  it('counts holds in the log, with their reason, and logs a refused one', async () => {
    const { server, api, cookie } = await heldSession();
    await api.heartbeat(cookie, { idleForMs: 0, hold: 'import' });
    await api.heartbeat(cookie, { idleForMs: 1_000, hold: 'video call' });
    await api.heartbeat(cookie, { idleForMs: 0 });
    await api.heartbeat(cookie, { idleForMs: maxHoldMs, hold: 'import' });

    const holds = logEntries(server.logs)
      .filter((entry) => entry.event === 'session_held' || entry.event === 'hold_refused')
      .map(({ event, user, hold, idleForMs }) => ({ event, user, hold, idleForMs }));
    expect(holds).toEqual([
      { event: 'session_held', user: 'holder', hold: 'import', idleForMs: 0 },
      { event: 'session_held', user: 'holder', hold: 'video call', idleForMs: 1_000 },
      { event: 'hold_refused', user: 'holder', hold: 'import', idleForMs: maxHoldMs },
    ]);
  });

  it('answers without `hold` to an ordinary heartbeat', async () => {
    const { api, cookie } = await heldSession();
    expect(await (await api.heartbeat(cookie, { idleForMs: 0 })).json()).not.toHaveProperty('hold');
  });
});
