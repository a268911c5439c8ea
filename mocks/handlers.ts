/**
 * MSW handlers that answer `/api/*` with the real server: the same `createApp` as `npm start`,
 * over the memory store (docs/decisions/002-mock-runs-the-real-server.md).
 *
 * A page cannot put `Cookie` on a request nor see `Set-Cookie` on a response, and a mocked
 * response never reaches the browser's cookie store, so the mock carries the session cookie
 * itself, in a cookie jar of its own (cookie-jar.ts), in Node and in the browser alike, and hands
 * it to the app through its bindings (`cookieHeader`, `onSetCookie`) instead of headers.
 * A `Cookie` header the page set itself is ignored, as a browser would drop it.
 */
import { http, type HttpHandler } from 'msw';
import { createApp } from '../server/app';
import { validateSessionConfig } from '../server/config';
import { defaultSessionConfig, type SessionConfig } from '../server/session/policy';
import { createMemoryLogger } from '../server/logger';
import type { Clock } from '../server/session/clock';
import { createMemoryStore } from '../server/stores/memory';
import type { Store } from '../server/stores/store';
import { createCookieJar, toSetCookie, type CookieJar } from './cookie-jar';
import { createWebStorageStore } from './web-storage-store';

const storageKeys = { store: 'mock-api:store', cookies: 'mock-api:cookies' };

export interface MockApiOptions {
  /** Overrides of the server's session config. Default: `defaultSessionConfig` (idle 60 s, warning 30 s, absolute 8 h). */
  session?: Partial<SessionConfig>;
  /** The mock server's clock. Default: `Date.now()` at each call, so Vitest fake timers and Playwright's `page.clock` move it. */
  clock?: Clock;
  /**
   * Where to keep sessions and cookies between page loads. Mock mode in the browser passes
   * `localStorage`, so a reload keeps the user signed in and all tabs share one "server", as
   * with the real one. Default: memory only (tests).
   */
  storage?: Storage;
  /**
   * The page's origin, which is the mock server's public origin (PUBLIC_ORIGIN). Default:
   * `location.origin`, or `http://localhost` where there is no page (Node).
   */
  origin?: string;
}

export interface MockApi {
  /** Hand these to `setupServer(...)` or `setupWorker(...)`. They always reach the current app. */
  handlers: HttpHandler[];
  /** The app the handlers forward to (rebuilt by `configure` and `reset`). */
  readonly app: ReturnType<typeof createApp>;
  /** The app's memory store (a fresh one after `reset`). */
  readonly store: Store;
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

/**
 * An MSW mock of the whole API, backed by the real server code.
 *
 * @example
 * const mockApi = createMockApi({ session: { idleTimeoutMs: 10_000, warningMs: 5_000 } });
 * const server = setupServer(...mockApi.handlers);
 */
export function createMockApi({
  session: initialSession = {},
  clock = { now: () => Date.now() },
  storage,
  origin = globalThis.location?.origin ?? 'http://localhost',
}: MockApiOptions = {}): MockApi {
  const cookies = createCookieJar({ now: () => clock.now() });
  const newStore = () => (storage ? createWebStorageStore(storage, storageKeys.store) : createMemoryStore());
  const initialConfig: SessionConfig = { ...defaultSessionConfig, ...initialSession };
  let session = initialConfig;
  let store: Store = newStore();
  let logger = createMemoryLogger();
  let app: ReturnType<typeof createApp>;

  function rebuild(): void {
    validateSessionConfig(session);
    app = createApp({
      store,
      clock,
      logger,
      config: { session, publicOrigins: [origin] },
      clientAddress: () => mockClientAddress,
    });
  }
  rebuild();

  async function answer(request: Request): Promise<Response> {
    // `credentials: 'omit'` neither sends nor stores cookies in a browser; neither does the mock.
    const useCookies = request.credentials !== 'omit';
    const setCookies: string[] = [];
    if (storage) loadCookies(request.url); // another tab may have signed in or out meanwhile
    // Cookies travel beside the request, not in it: a browser's Request and Response cannot
    // carry `Cookie` or `Set-Cookie` (forbidden headers). See server/http/env.ts.
    const response = await app.fetch(request, {
      cookieHeader: useCookies ? (cookies.header(request.url) ?? '') : '',
      onSetCookie: (line: string) => setCookies.push(line),
      // A browser puts the page's origin on every POST and DELETE, but neither a service
      // worker's copy of the request nor Node's fetch shows it. Every request that reaches the
      // mock comes from the page, so it speaks for it; an Origin the request does carry (a test
      // of a cross-site request sets one) is the one checked.
      origin: request.headers.get('Origin') ?? origin,
    });
    if (useCookies) cookies.store(setCookies, request.url);
    if (storage) storage.setItem(storageKeys.cookies, JSON.stringify(cookies.list().map(toSetCookie)));
    // Set-Cookie is taken out: a page never sees it in a browser, so a Node test must not either,
    // or client code could come to rely on reading it and pass tests only.
    const headers = new Headers(response.headers);
    headers.delete('Set-Cookie');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }

  /** A browser's cookies are shared by its tabs: the jar is re-read from storage for each request. */
  function loadCookies(url: string) {
    cookies.clear();
    try {
      cookies.store(JSON.parse(storage?.getItem(storageKeys.cookies) ?? '[]') as string[], url);
    } catch {
      // Damaged by hand in devtools: no cookies, as after clearing them.
    }
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
      storage?.removeItem(storageKeys.store);
      storage?.removeItem(storageKeys.cookies);
      store = newStore();
      logger = createMemoryLogger();
      cookies.clear();
      session = initialConfig;
      rebuild();
    },
  };
  return mockApi;
}
