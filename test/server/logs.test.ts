/** Structured logs: one line per session event, never a password or a raw session id. */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../server/logger';
import { cookieFrom } from '../support/test-server';
import { apiClient, logEntries, sessionIdOf, useTestApps } from './helpers';

const { inProcess, overHttp } = useTestApps();

describe('the log', () => {
  it('has one line for each session event, in order, with no password and no raw session id', async () => {
    const server = await inProcess();
    const api = apiClient(server);

    await api.signIn('alice', 'alice_wrong_pw');
    const expiring = cookieFrom(await api.signIn('alice', 'alice_secret'));
    server.clock.advance(60_000);
    await api.getSession(expiring); // finds it expired
    await api.heartbeat(expiring); // too late
    const signingOut = cookieFrom(await api.signIn('bob', 'bob_secret'));
    await api.signOut(signingOut);

    const events = logEntries(server.logs).map(({ event, outcome, user }) => ({ event, outcome, user }));
    expect(events).toEqual([
      { event: 'sign_in', outcome: 'failure', user: 'alice' },
      { event: 'sign_in', outcome: 'success', user: 'alice' },
      { event: 'session_expired', outcome: undefined, user: 'alice' },
      { event: 'heartbeat_rejected', outcome: undefined, user: undefined },
      { event: 'sign_in', outcome: 'success', user: 'bob' },
      { event: 'sign_out', outcome: undefined, user: 'bob' },
    ]);
    const everything = server.logs.join('\n');
    for (const secret of [
      'alice_wrong_pw',
      'alice_secret',
      'bob_secret',
      sessionIdOf(expiring),
      sessionIdOf(signingOut),
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('says which limit ended a session', async () => {
    const server = await inProcess({ session: { absoluteTimeoutMs: 90_000 } });
    const api = apiClient(server);
    const idle = cookieFrom(await api.signIn('idle-user'));
    const busy = cookieFrom(await api.signIn('busy-user'));
    server.clock.advance(50_000);
    await api.heartbeat(busy);
    server.clock.advance(40_000);

    await api.getSession(idle);
    await api.getSession(busy);

    const expired = logEntries(server.logs).filter((entry) => entry.event === 'session_expired');
    expect(expired.map(({ user, limit }) => ({ user, limit }))).toEqual([
      { user: 'idle-user', limit: 'idle' },
      { user: 'busy-user', limit: 'absolute' },
    ]);
  });

  it('says why a heartbeat was rejected', async () => {
    const server = await inProcess();
    const api = apiClient(server);

    await api.heartbeat();
    await api.heartbeat('sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');

    const rejected = logEntries(server.logs).filter((entry) => entry.event === 'heartbeat_rejected');
    expect(rejected.map((entry) => entry.reason)).toEqual(['no_cookie', 'no_live_session']);
  });

  it('records a rate-limited sign-in without the password', async () => {
    const server = await inProcess({ session: { maxFailuresPerUserAndClient: 1 } });
    const api = apiClient(server);
    await api.signIn('alice', 'first-guess');

    await api.signIn('alice', 'alice_secret');

    const last = logEntries(server.logs).at(-1)!;
    expect(last).toMatchObject({ event: 'sign_in', outcome: 'rate_limited', user: 'alice' });
    expect(server.logs.join('\n')).not.toMatch(/first-guess|alice_secret/);
  });

  it('holds only JSON lines', async () => {
    const server = await inProcess();
    const api = apiClient(server);
    await api.signOut(cookieFrom(await api.signIn()));

    for (const line of server.logs) {
      expect(JSON.parse(line)).toMatchObject({
        time: expect.any(String),
        level: expect.any(String),
        event: expect.any(String),
      });
    }
  });

  it('escapes C1 controls (U+0085 NEL, U+009B CSI), which log readers and terminals act on', () => {
    const logger = createMemoryLogger();

    logger.warn('sign_in', { user: 'a\u0085b\u009b31mc\u0080\u009f\u2028' });

    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).not.toMatch(/[\u0080-\u009f\u2028\u2029]/);
    expect(logger.lines[0]).toContain('a\\u0085b\\u009b31mc\\u0080\\u009f\\u2028');
    expect(JSON.parse(logger.lines[0])).toMatchObject({ user: 'a\u0085b\u009b31mc\u0080\u009f\u2028' });
  });

  it('logs a request body the client abandoned once, at info, without a stack', async () => {
    const server = await overHttp();
    const { port } = new URL(server.url);

    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.write(
            `POST /api/session HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${server.url}\r\n` +
              'Content-Type: application/json\r\nContent-Length: 3000\r\n\r\n{"username":',
            () => setImmediate(() => socket.destroy()),
          );
        });
        socket.on('close', () => resolve());
      });
    }
    await expect.poll(() => server.logs.length).toBe(3);

    const entries = logEntries(server.logs);
    expect(entries.filter((entry) => entry.event === 'request_aborted')).toEqual(
      Array.from({ length: 3 }, () => expect.objectContaining({ level: 'info', path: '/api/session' })),
    );
    expect(entries.filter((entry) => entry.level === 'error')).toEqual([]);
    expect(server.logs.join('\n')).not.toMatch(/stack/);
  });
});
