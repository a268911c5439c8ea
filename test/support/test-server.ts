/**
 * The real createApp with a test clock and a memory logger, two ways: in-process, answering
 * through Hono's `app.request()` with no socket at all (`createTestApp`), or over real HTTP on an
 * ephemeral port (`startTestServer`), for what only a socket shows: body limits, raw bytes,
 * connection headers, static files.
 */
import { createApp } from '../../server/app';
import { defaultSessionConfig, type SessionConfig } from '../../server/session/policy';
import { createMemoryLogger } from '../../server/logger';
import type { HttpMetrics } from '../../server/metrics/http-metrics';
import type { Readiness } from '../../server/routes/health';
import type { Clock } from '../../server/session/clock';
import type { CredentialCheck } from '../../server/session/credentials';
import type { SessionEvents } from '../../server/session/session-lifecycle';
import { createMemoryStore } from '../../server/stores/memory';
import type { Store } from '../../server/stores/store';
import { serveBuiltOnEphemeralPort } from './ephemeral-port';

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

export type TestClock = ReturnType<typeof createTestClock>;

export interface TestAppOptions {
  /** Default: a fresh memory store. */
  store?: Store;
  /** On top of `defaultSessionConfig`. */
  session?: Partial<SessionConfig>;
  clock?: TestClock;
  trustProxy?: boolean;
  /** PUBLIC_ORIGIN. Default: the origin the test app is reached at (`TestApp.origin`). */
  publicOrigins?: string[];
  /** Metrics (createPrometheusMetrics's `http` and `sessionEvents`); none by default, as in production. */
  metrics?: { http: HttpMetrics; sessionEvents: SessionEvents };
  /** What `/api/health/ready` asks about draining. */
  readiness?: Readiness;
  /** FRAME_ORIGINS. Default: none. */
  frameOrigins?: string[];
  /** Which passwords are right. Default: the demo rule. */
  credentials?: CredentialCheck;
}

export interface TestApp {
  /** The origin requests go to: `http://127.0.0.1` in-process, `http://127.0.0.1:<port>` over HTTP. */
  origin: string;
  /** `fetch` for a path on the app (`/api/...`), with no cookies but those in `init.headers`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  store: Store;
  clock: TestClock;
  /** The JSON log lines the app wrote. */
  logs: string[];
}

export interface TestServer extends TestApp {
  /** `http://127.0.0.1:<port>`, for raw requests and sockets. */
  url: string;
  close(): Promise<void>;
}

function buildApp(
  {
    store = createMemoryStore(),
    session = {},
    clock = createTestClock(),
    trustProxy = false,
    publicOrigins,
    metrics,
    readiness,
    frameOrigins,
    credentials,
  }: TestAppOptions,
  origin: string,
) {
  const logger = createMemoryLogger();
  const app = createApp({
    store,
    clock,
    logger,
    config: {
      session: { ...defaultSessionConfig, ...session },
      trustProxy,
      publicOrigins: publicOrigins ?? [origin],
      frameOrigins,
    },
    // Tests pick the client address with a header, to try per-client throttling.
    clientAddress: (c) => c.req.header('X-Test-Client') ?? '127.0.0.1',
    metrics: metrics?.http,
    sessionEvents: metrics?.sessionEvents,
    readiness,
    credentials,
  });
  return { app, store, clock, logs: logger.lines };
}

/** The origin of an in-process app: a host without a port, as no socket is involved. */
const inProcessOrigin = 'http://127.0.0.1';

/** The real createApp in-process: each `fetch` goes straight to `app.request()`, no socket. */
export function createTestApp(options: TestAppOptions = {}): TestApp {
  const { app, ...parts } = buildApp(options, inProcessOrigin);
  return {
    ...parts,
    origin: inProcessOrigin,
    async fetch(path, init) {
      const request = new Request(inProcessOrigin + path, init);
      const response = await app.request(request);
      // A Response the app built has no URL of its own; a fetched one names what was asked for.
      Object.defineProperty(response, 'url', { value: request.url });
      return response;
    },
  };
}

/** The real createApp over real HTTP on an ephemeral port. */
export async function startTestServer(options: TestAppOptions = {}): Promise<TestServer> {
  // The app is built once the port, and so its public origin, is known.
  let built: ReturnType<typeof buildApp> | undefined;
  const { url, close } = await serveBuiltOnEphemeralPort((origin) => {
    built = buildApp(options, origin);
    return built.app.fetch;
  });
  const { app: _app, ...parts } = built!;
  return { ...parts, origin: url, url, close, fetch: fetchAt(url) };
}

/** `fetch` for paths on a server that listens at `url` (any server: a test server, the entry process). */
export function fetchAt(url: string): TestApp['fetch'] {
  return (path, init) => fetch(url + path, init);
}

/**
 * Pulls a cookie's `name=value` pair out of a response's Set-Cookie, ready to send back as
 * `Cookie`: the session cookie (`sid` or `__Host-sid`) by default, or the device token (`did`).
 */
export function cookieFrom(response: Response, name: CookieName = 'sid'): string {
  const line = setCookieLine(response, name);
  if (!line) throw new Error(`no Set-Cookie for ${name} on ${response.status} response`);
  return line.split(';')[0];
}

type CookieName = 'sid' | 'did';

/** The whole Set-Cookie line for one cookie (plain or `__Host-` name), or undefined. */
export function setCookieLine(response: Response, name: CookieName = 'sid'): string | undefined {
  return response.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith(`${name}=`) || cookie.startsWith(`__Host-${name}=`));
}
