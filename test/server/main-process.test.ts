/**
 * The real entry point, `server/main.ts`, as a child process: config errors stop it with a message
 * naming the variable; it listens, shuts down cleanly on SIGTERM, and sessions survive a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { environmentWithoutConfig } from '../../scripts/lib/app-server.mjs';
import { cookieFrom } from '../support/test-server';
import { apiClient, logEntries, sessionBody, useTempDirs } from './helpers';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const tempDir = useTempDirs('idle-session-main-');

/** How long a start or a stop may take before the test gives up (a limit, not a wait). */
const processTimeoutMs = 15_000;

interface MainProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first JSON log line on stdout for `event`; rejects if the process ends first. */
  waitForLog: (event: string) => Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startMain(env: Record<string, string>): MainProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    // The parent's environment cannot leak a server setting into a test.
    env: { ...environmentWithoutConfig(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );

  const findLog = (event: string) =>
    logEntries(stdout.split('\n').filter((line) => line.startsWith('{'))).find((entry) => entry.event === event);
  const waitForLog = (event: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const entry = findLog(event);
        if (entry) {
          done();
          resolve(entry);
        }
      };
      const onExit = () => {
        check();
        done();
        reject(new Error(`server exited before logging ${event}\nstdout: ${stdout}\nstderr: ${stderr}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${event} log within ${processTimeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, processTimeoutMs);
      const done = () => {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.off('exit', onExit);
      };
      child.stdout!.on('data', check);
      child.on('exit', onExit);
      check();
    });

  return { child, stdout: () => stdout, stderr: () => stderr, waitForLog, exited };
}

/** A port nobody is listening on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function stop(main: MainProcess) {
  main.child.kill('SIGTERM');
  return main.exited;
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
    const main = startMain({ ...env, DATABASE_PATH: join(dir, 'sessions.db'), STATIC_DIR: '' });

    const { code } = await main.exited;

    expect(code).not.toBe(0);
    expect(main.stderr()).toContain(variable);
    expect(main.stderr()).toMatch(/Configuration error/);
    expect(main.stdout()).not.toContain('"listening"');
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

      const first = startMain(env);
      const listening = await first.waitForLog('listening');
      const url = `http://127.0.0.1:${env.PORT}`;
      expect(listening).toMatchObject({ url, store: 'sqlite', idleTimeoutMs: 60_000, warningMs: 10_000 });
      expect(first.stderr()).toMatch(/Warning: IDLE_WARNING/);
      expect((await stat(databasePath)).isFile()).toBe(true);

      const api = apiClient(url);
      const cookie = cookieFrom(await api.signIn('restart-user'));
      expect((await api.hello(cookie)).status).toBe(200);
      expect((await api.call('/anything-else')).status).toBe(404); // no SPA: STATIC_DIR is empty

      expect(await stop(first)).toEqual({ code: 0, signal: null });
      expect(logEntries(first.stdout().trim().split('\n')).map((entry) => entry.event)).toEqual(
        expect.arrayContaining(['listening', 'sign_in', 'shutting_down', 'stopped']),
      );
      expect(first.stdout()).not.toContain(cookie.split('=')[1]);

      const second = startMain(env);
      await second.waitForLog('listening');
      const { user } = await sessionBody(await api.getSession(cookie));
      expect(user).toEqual({ username: 'restart-user' });

      expect(await stop(second)).toEqual({ code: 0, signal: null });
    },
    4 * processTimeoutMs,
  );
});
