/**
 * Helpers for the server tests: the app in-process or over real HTTP (test/support/test-server.ts)
 * with cleanup after each test, a small API client for either, raw requests for bytes that `fetch`
 * refuses to send, and a temp-folder helper.
 */
import { mkdtempSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import type { ApiError, ErrorCode, SessionResponse } from '../../shared/contract';
import { createMemoryStore } from '../../server/stores/memory';
import { createSqliteStore } from '../../server/stores/sqlite';
import type { Store } from '../../server/stores/store';
import {
  createTestApp,
  startTestServer,
  type TestApp,
  type TestAppOptions,
  type TestServer,
} from '../support/test-server';

export const json = { 'Content-Type': 'application/json' } as const;

/** Folders made by `createStore('sqlite')`, removed by `useTestApps` after each test. */
const storeDirs: string[] = [];

/** The stores every behaviour is checked against (Redis has its own suite). */
export const storeKinds = ['memory', 'sqlite'] as const;
export type StoreKind = (typeof storeKinds)[number];

/** A fresh store: memory, or SQLite in a new temp file (WAL mode, as in production). */
export function createStore(kind: StoreKind): Store {
  if (kind === 'memory') return createMemoryStore();
  const dir = mkdtempSync(join(tmpdir(), 'idle-session-store-'));
  storeDirs.push(dir);
  return createSqliteStore(join(dir, 'sessions.db'));
}

/** Test app options where `store` may also name a kind of store, made fresh with `createStore`. */
export type ServerTestOptions = Omit<TestAppOptions, 'store'> & { store?: Store | StoreKind };

function withStore({ store, ...options }: ServerTestOptions): TestAppOptions {
  return { ...options, store: typeof store === 'string' ? createStore(store) : store };
}

/**
 * The app for one test file, and cleanup after each test: servers closed, stores closed, SQLite
 * folders removed. Call at the top level of a test file: `const { inProcess, overHttp } = useTestApps();`.
 *
 * `inProcess` answers through `app.request()`: use it wherever no socket matters (most API tests).
 * `overHttp` listens on an ephemeral port: for body limits, raw requests and connection headers.
 */
export function useTestApps(): {
  inProcess(options?: ServerTestOptions): Promise<TestApp>;
  overHttp(options?: ServerTestOptions): Promise<TestServer>;
} {
  const apps: TestApp[] = [];
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await Promise.all(apps.splice(0).map((app) => app.store.close()));
    await Promise.all(storeDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return {
    async inProcess(options = {}) {
      const app = createTestApp(withStore(options));
      apps.push(app);
      return app;
    },
    async overHttp(options = {}) {
      const server = await startTestServer(withStore(options));
      apps.push(server);
      servers.push(server);
      return server;
    },
  };
}

interface CallOptions {
  cookie?: string;
  headers?: Record<string, string>;
}

const safeMethods = ['GET', 'HEAD', 'OPTIONS'];

/**
 * The API as a caller sees it, one method per row of the API table, in-process or over HTTP.
 * Like a browser on the app's page, it sends `Origin: app.origin` on every state-changing
 * request; a test's own `Origin` header replaces it, and `Origin: ''` sends none.
 */
export function apiClient(app: Pick<TestApp, 'fetch' | 'origin'>) {
  const call = (path: string, init: RequestInit & CallOptions = {}) => {
    const { cookie, headers = {}, ...rest } = init;
    const all: Record<string, string> = {
      ...(cookie ? { Cookie: cookie } : {}),
      ...(headers as Record<string, string>),
    };
    if (!safeMethods.includes(init.method ?? 'GET') && all.Origin === undefined) all.Origin = app.origin;
    if (all.Origin === '') delete all.Origin;
    return app.fetch(path, { ...rest, headers: all });
  };
  return {
    /** Any request to `path`, for the odd cases. */
    call,
    /** POST /api/session with `password` (default: the right one). */
    signIn: (username = 'test', password = `${username}_secret`, options: CallOptions = {}) =>
      call('/api/session', {
        method: 'POST',
        cookie: options.cookie,
        headers: { ...json, ...options.headers },
        body: JSON.stringify({ username, password }),
      }),
    /** POST /api/session with any raw body. */
    signInRaw: (body: string, options: CallOptions = {}) =>
      call('/api/session', { method: 'POST', cookie: options.cookie, headers: { ...json, ...options.headers }, body }),
    getSession: (cookie?: string, headers?: Record<string, string>) => call('/api/session', { cookie, headers }),
    /**
     * POST /api/session/heartbeat as JSON; `body` undefined sends an empty body (still with
     * `Content-Type: application/json`, which the server asks for even then).
     */
    heartbeat: (cookie?: string, body?: unknown, headers?: Record<string, string>) =>
      call('/api/session/heartbeat', {
        method: 'POST',
        cookie,
        headers: { ...json, ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
    signOut: (cookie?: string, headers?: Record<string, string>) =>
      call('/api/session', { method: 'DELETE', cookie, headers }),
    hello: (cookie?: string) => call('/api/hello', { cookie }),
    health: () => call('/api/health'),
  };
}

/** Checks an error response: status, `{ error, message }` with a readable message. Returns the body. */
export async function expectError(response: Response, status: number, error: ErrorCode): Promise<ApiError> {
  const body = (await response.json()) as ApiError;
  expect({ status: response.status, error: body.error }).toEqual({ status, error });
  expect(typeof body.message).toBe('string');
  expect(body.message.trim()).not.toBe('');
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  return body;
}

export async function sessionBody(response: Response, status = 200): Promise<SessionResponse> {
  expect(response.status).toBe(status);
  return (await response.json()) as SessionResponse;
}

/** The raw session id from a `sid=<id>` Cookie value. */
export function sessionIdOf(cookie: string): string {
  return cookie.slice(cookie.indexOf('=') + 1);
}

/** Parsed JSON log lines. */
export function logEntries(logs: string[]): Array<Record<string, unknown>> {
  return logs.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A store whose ping fails, as when the database is down; everything else still works. */
export function withFailingPing(store: Store): Store {
  return { ...store, ping: () => Promise.reject(new Error('store is down')) };
}

/** The store methods that write. */
const writeMethods = [
  'create',
  'extend',
  'delete',
  'addFailure',
  'clearFailures',
  'takeBackFailure',
  'saveDeviceToken',
  'deleteDeviceToken',
  'deleteDeviceTokensOfUser',
  'markReauthenticated',
] as const;

/**
 * A store that records every write, to show that a refused request changed nothing:
 * `expect(store.writes).toEqual([])`. `store.writes.length = 0` forgets the writes so far.
 */
export function recordingStore(store: Store): Store & { writes: string[] } {
  const writes: string[] = [];
  const recording: Store & { writes: string[] } = { ...store, writes };
  for (const method of writeMethods) {
    const write = store[method] as (...args: unknown[]) => Promise<unknown>;
    (recording as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      writes.push(method);
      return write(...args);
    };
  }
  return recording;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One request on its own connection (closed afterwards), with the path sent exactly as given
 * (no normalising of `..`), and `Origin: url` on a state-changing method unless `headers` has one. For bodies the server refuses early: the connection is not reused.
 */
export function rawRequest(
  url: string,
  {
    method = 'GET',
    path = '/',
    headers = {},
    body,
  }: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const { hostname, port, origin } = new URL(url);
  // Like a browser on the app's page, unless the test says otherwise.
  const withOrigin = safeMethods.includes(method) ? headers : { Origin: origin, ...headers };
  return new Promise((resolve, reject) => {
    const request = http.request({ hostname, port, method, path, headers: withOrigin, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    // The server may answer (413) and close before it has read the whole body.
    request.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    request.end(body);
  });
}

/**
 * Bytes straight onto a socket, for requests no HTTP client would send (bad header bytes, no
 * Host, odd request lines). Resolves with the status code of the answer, or 0 when the server
 * closed the connection without one.
 */
export function rawSocket(url: string, text: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(Buffer.from(text, 'latin1')));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 0)));
  });
}

/** A fresh temp folder per test, removed after each test. Call at the top level of a test file. */
export function useTempDirs(prefix = 'idle-session-test-'): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
