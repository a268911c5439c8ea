import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../../server/app';
import { defaultSessionConfig, type SessionConfig } from '../../server/config';
import { createMemoryLogger } from '../../server/logger';
import type { Clock } from '../../server/session/sessions';
import { createMemoryStore } from '../../server/stores/memory';
import type { SessionStore } from '../../server/stores/store';

/** A clock that moves only when a test moves it. */
export function createTestClock(
  start = Date.UTC(2026, 0, 1, 9, 0, 0),
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => void (now += ms),
    set: (ms) => void (now = ms),
  };
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  store: SessionStore;
  clock: ReturnType<typeof createTestClock>;
  logs: string[];
  close(): Promise<void>;
}

/**
 * The real createApp over real HTTP on an ephemeral port, with a test clock.
 * Pass `store` to use SQLite or Redis; the memory store is the default.
 */
export async function startTestServer({
  store = createMemoryStore(),
  session = {},
  clock = createTestClock(),
  trustProxy = false,
}: {
  store?: SessionStore;
  session?: Partial<SessionConfig>;
  clock?: ReturnType<typeof createTestClock>;
  trustProxy?: boolean;
} = {}): Promise<TestServer> {
  const logger = createMemoryLogger();
  const app = createApp({
    store,
    clock,
    logger,
    config: { session: { ...defaultSessionConfig, ...session }, trustProxy },
    // Tests pick the client address with a header, to try per-client throttling.
    clientAddress: (c) => c.req.header('X-Test-Client') ?? '127.0.0.1',
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    clock,
    logs: logger.lines,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

/** Pulls the `name=value` pair out of a response's Set-Cookie, ready to send back as `Cookie`. */
export function cookieFrom(response: Response): string {
  const setCookie = response.headers.get('Set-Cookie');
  if (!setCookie) throw new Error(`no Set-Cookie on ${response.status} response`);
  return setCookie.split(';')[0];
}

/** Signs `username` in and returns the `Cookie` header value for its session. */
export async function signIn(url: string, username = 'test'): Promise<string> {
  const response = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: `${username}_secret` }),
  });
  if (response.status !== 201) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return cookieFrom(response);
}
