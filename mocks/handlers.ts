/**
 * MSW handlers that answer `/api/*` with the real server: the same `createApp` as `npm start`,
 * over the memory store (docs/decisions/002-mock-runs-the-real-server.md).
 *
 * A page cannot put `Cookie` on a request nor see `Set-Cookie` on a response, and a mocked
 * response never reaches the browser's cookie store, so the mock carries the session cookie
 * itself, in a cookie jar of its own (cookie-jar.ts), in Node and in the browser alike.
 */
import { Hono } from 'hono';
import { http, type HttpHandler } from 'msw';
import { createApp } from '../server/app';
import { defaultSessionConfig, validateSessionConfig, type SessionConfig } from '../server/config';
import { createMemoryLogger } from '../server/logger';
import type { Clock } from '../server/session/sessions';
import { createMemoryStore } from '../server/stores/memory';
import type { SessionStore } from '../server/stores/store';
import { createCookieJar, type CookieJar } from './cookie-jar';

export interface MockApiOptions {
  /** Overrides of the server's session config. Default: `defaultSessionConfig` (idle 60 s, warning 30 s, absolute 8 h). */
  session?: Partial<SessionConfig>;
  /** The mock server's clock. Default: `Date.now()` at each call, so Vitest fake timers and Playwright's `page.clock` move it. */
  clock?: Clock;
}

export interface MockApi {
  /** Hand these to `setupServer(...)` or `setupWorker(...)`. They always reach the current app. */
  handlers: HttpHandler[];
  /** The app the handlers forward to (rebuilt by `configure` and `reset`). */
  readonly app: ReturnType<typeof createApp>;
  /** The app's memory store (a fresh one after `reset`). */
  readonly store: SessionStore;
  /** The mock server's log lines, JSON, one per event (nothing is printed). */
  readonly logs: string[];
  /** The browser's cookies for the mocked API, HttpOnly ones included. */
  cookies: CookieJar;
  /** The session config in force. */
  readonly session: SessionConfig;
  /**
   * Rebuilds the app with other session settings, keeping the store and the cookies: a test
   * that wants e.g. `{ idleTimeoutMs: 10_000, warningMs: 5_000 }` calls it before it starts.
   * `reset()` goes back to the settings given to `createMockApi`.
   */
  configure(session: Partial<SessionConfig>): void;
  /** Forgets everything: a new empty store, an empty cookie jar, the initial settings (for `afterEach`). */
  reset(): void;
}

/** Browser requests have no socket: every request comes from this one client, for login throttling. */
export const mockClientAddress = 'mock-client';

/** `Set-Cookie` lines the app wrote while answering one request. */
interface CaptureEnv {
  Bindings: { setCookies: string[] };
}

/**
 * Wraps the app so it reports the `Set-Cookie` lines it writes. In a browser the `Response`
 * constructor drops `Set-Cookie` (a forbidden response header), so `app.fetch(...)`'s response
 * never shows it there: the lines are taken where hono/cookie writes them, `c.header(...)`.
 * The same path runs in Node, so the Node tests exercise what the browser runs.
 */
function captureSetCookie(app: ReturnType<typeof createApp>): Hono<CaptureEnv> {
  const outer = new Hono<CaptureEnv>();
  outer.use('*', async (c, next) => {
    const writeHeader = c.header;
    const captured = c.env.setCookies;
    c.header = ((name: string, value?: string, options?: { append?: boolean }) => {
      if (name.toLowerCase() === 'set-cookie') {
        if (!options?.append) captured.length = 0;
        if (value !== undefined) captured.push(value);
      }
      writeHeader(name, value, options);
    }) as typeof c.header;
    await next();
  });
  outer.route('/', app);
  return outer;
}

/**
 * The request the app sees: the page's request with the jar's `Cookie` (one the page set itself is
 * dropped, as a browser drops it). In a browser a `Request` drops `Cookie` and `Content-Length`
 * (forbidden request headers), so the headers are given as an own property, which is what Hono
 * reads. `Content-Length` is set because Hono's body limit would otherwise rebuild the request
 * from its internal (cookie-less) header list. Both were seen in Chromium; handlers.test.ts
 * emulates these header rules in Node so a change that breaks them fails there.
 */
async function withCookies(request: Request, cookie: string | undefined): Promise<Request> {
  const headers = new Headers(request.headers);
  headers.delete('Cookie');
  headers.delete('Transfer-Encoding');
  if (cookie !== undefined) headers.set('Cookie', cookie);
  const body = request.body === null ? undefined : await request.arrayBuffer();
  if (body !== undefined) headers.set('Content-Length', String(body.byteLength));
  else headers.delete('Content-Length');
  const forwarded = new Request(request.url, { method: request.method, headers, body });
  Object.defineProperty(forwarded, 'headers', { value: headers });
  return forwarded;
}

/**
 * An MSW mock of the whole API, backed by the real server code.
 *
 * @example
 * const mockApi = createMockApi({ session: { idleTimeoutMs: 10_000, warningMs: 5_000 } });
 * const server = setupServer(...mockApi.handlers);
 */
export function createMockApi({ session: initialSession = {}, clock = { now: () => Date.now() } }: MockApiOptions = {}): MockApi {
  const cookies = createCookieJar({ now: () => clock.now() });
  let session: SessionConfig = { ...defaultSessionConfig, ...initialSession };
  let store: SessionStore = createMemoryStore();
  let logger = createMemoryLogger();
  let app: ReturnType<typeof createApp>;
  let capturing: Hono<CaptureEnv>;

  function rebuild(): void {
    validateSessionConfig(session);
    app = createApp({ store, clock, logger, config: { session }, clientAddress: () => mockClientAddress });
    capturing = captureSetCookie(app);
  }
  rebuild();

  async function answer(request: Request): Promise<Response> {
    // `credentials: 'omit'` neither sends nor stores cookies in a browser; neither does the mock.
    const useCookies = request.credentials !== 'omit';
    const forwarded = await withCookies(request, useCookies ? cookies.header(request.url) : undefined);
    const env = { setCookies: [] as string[] };
    const response = await capturing.fetch(forwarded, env);
    if (useCookies) cookies.store(env.setCookies, request.url);
    // Set-Cookie is taken out: a page never sees it in a browser, so a Node test must not either,
    // or client code could come to rely on reading it and pass tests only.
    const headers = new Headers(response.headers);
    headers.delete('Set-Cookie');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }

  const mockApi: MockApi = {
    handlers: [http.all('*/api/*', ({ request }) => answer(request))],
    get app() {
      return app;
    },
    get store() {
      return store;
    },
    get logs() {
      return logger.lines;
    },
    cookies,
    get session() {
      return session;
    },
    configure(overrides) {
      session = { ...session, ...overrides };
      rebuild();
    },
    reset() {
      void store.close();
      store = createMemoryStore();
      logger = createMemoryLogger();
      cookies.clear();
      session = { ...defaultSessionConfig, ...initialSession };
      rebuild();
    },
  };
  return mockApi;
}
