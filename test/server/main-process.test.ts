/**
 * The real entry point, `server/main.ts`, as a child process (scripts/lib/app-server.mjs, as the
 * end-to-end tests start it): config errors stop it with a message naming the variable; it
 * listens, shuts down cleanly on SIGTERM, and sessions survive a restart.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer, type AppServerExitError } from '../../scripts/lib/app-server.mjs';
import { freePort } from '../support/ephemeral-port';
import { cookieFrom, fetchAt } from '../support/test-server';
import { apiClient, logEntries, sessionBody, useTempDirs } from './helpers';

const tempDir = useTempDirs('idle-session-main-');

/** How long a start may take before the test gives up (a limit, not a wait). */
const processTimeoutMs = 15_000;

const running: AppServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function startMain(env: Record<string, string>): Promise<AppServer> {
  const server = await startAppServer({ env, startTimeoutMs: processTimeoutMs });
  running.push(server);
  return server;
}

/** Starts main.ts expecting it to exit before it listens; resolves with what it said. */
async function failedStart(env: Record<string, string>): Promise<AppServerExitError> {
  const error = await startMain(env).then(
    () => undefined,
    (reason: unknown) => reason as AppServerExitError,
  );
  if (!error?.exit) throw new Error(`the server started, or did not exit: ${error}`);
  return error;
}

describe('a bad configuration', () => {
  it.each([
    ['IDLE_TIMEOUT', { IDLE_TIMEOUT: 'soon' }],
    ['IDLE_WARNING', { IDLE_TIMEOUT: '60s', IDLE_WARNING: '60s' }],
    ['SESSION_STORE', { SESSION_STORE: 'mongo' }],
    ['REDIS_URL', { SESSION_STORE: 'redis' }],
    ['PORT', { PORT: 'eighty' }],
  ])('stops the server at start with a message naming %s', async (variable, env) => {
    const dir = await tempDir();
    const main = await failedStart({ ...env, DATABASE_PATH: join(dir, 'sessions.db'), STATIC_DIR: '' });

    expect(main.exit.code).not.toBe(0);
    expect(main.stderr).toContain(variable);
    expect(main.stderr).toMatch(/Configuration error/);
    expect(main.stdout).not.toContain('"listening"');
  });
});

describe('the server process', () => {
  it(
    'listens, stops cleanly on SIGTERM, and keeps sessions across a restart',
    async () => {
      const dir = await tempDir();
      const databasePath = join(dir, 'missing', 'folder', 'sessions.db');
      const env = {
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        SESSION_STORE: 'sqlite',
        DATABASE_PATH: databasePath,
        STATIC_DIR: '',
        IDLE_TIMEOUT: '60s',
        IDLE_WARNING: '10s',
      };

      const first = await startMain(env);
      const url = `http://127.0.0.1:${env.PORT}`;
      expect(first.listening).toMatchObject({ url, store: 'sqlite', idleTimeoutMs: 60_000, warningMs: 10_000 });
      expect(first.stderr()).toMatch(/Warning: IDLE_WARNING/);
      expect((await stat(databasePath)).isFile()).toBe(true);

      const api = apiClient({ fetch: fetchAt(url) });
      const cookie = cookieFrom(await api.signIn('restart-user'));
      expect((await api.hello(cookie)).status).toBe(200);
      expect((await api.call('/anything-else')).status).toBe(404); // no SPA: STATIC_DIR is empty

      expect(await first.stop()).toEqual({ code: 0, signal: null });
      expect(logEntries(first.stdout().trim().split('\n')).map((entry) => entry.event)).toEqual(
        expect.arrayContaining(['listening', 'sign_in', 'shutting_down', 'stopped']),
      );
      expect(first.stdout()).not.toContain(cookie.split('=')[1]);

      const second = await startMain(env);
      const { user } = await sessionBody(await api.getSession(cookie));
      expect(user).toEqual({ username: 'restart-user' });

      expect(await second.stop()).toEqual({ code: 0, signal: null });
    },
    4 * processTimeoutMs,
  );
});
