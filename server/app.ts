import { Hono, type Context } from 'hono';
import { apiPaths, maxBodyBytes, maxImportBytes, maxNoteBodyBytes } from '../shared/contract';
import type { SessionConfig } from './session/policy';
import type { AppEnv } from './http/env';
import { viewOfClient } from './http/client';
import { errorResponse } from './http/errors';
import { publicOrigins } from './http/origin';
import {
  apiResponseHeaders,
  bodySizeLimit,
  documentHeaders,
  publicHostOnly,
  sameOriginOnly,
  sendsStrictTransportSecurity,
  strictTransportSecurity,
} from './http/security';
import { createJsonLogger, type Logger } from './logger';
import { createNotes } from './notes/notes';
import { requestIds } from './http/request-id';
import { answeredRequests, type HttpMetrics } from './metrics/http-metrics';
import { deviceRoutes } from './routes/devices';
import { healthRoutes, type Readiness } from './routes/health';
import { helloRoutes } from './routes/hello';
import { notesRoutes } from './routes/notes';
import { currentSessionRoutes } from './routes/current-session';
import { sessionListRoutes } from './routes/session-list';
import { demoCredentials, type CredentialCheck } from './session/credentials';
import type { Digests } from './session/ids';
import type { Clock } from './session/clock';
import { createSessions, type SessionEvents } from './session/session-lifecycle';
import type { Store } from './stores/store';
import { StoreUnavailableError, storeRetryAfterSeconds } from './stores/unavailable';

export interface AppConfig {
  session: SessionConfig;
  /** Believe `X-Forwarded-For`, `-Host` and `-Proto` (TRUST_PROXY; only behind a proxy you run). */
  trustProxy?: boolean;
  /**
   * The origins the app is served at (PUBLIC_ORIGIN, http/origin.ts): state-changing requests
   * must come from one, API requests must be addressed to one's host. Mock mode: the page's.
   */
  publicOrigins: readonly string[];
  /** FRAME_ORIGINS: other origins the pages may frame and whose activity reports count (issue 23). */
  frameOrigins?: readonly string[];
}

export interface AppDependencies {
  /** Sessions and notes (stores/store.ts): the app hands each part to its own rules. */
  store: Store;
  config: AppConfig;
  /** Defaults to the system clock; tests pass one they can move. */
  clock?: Clock;
  logger?: Logger;
  /** The peer's address, from the adapter (on Node: `getConnInfo` of @hono/node-server/conninfo). */
  clientAddress?: (c: Context) => string;
  /** Routes for everything outside `/api` (the built SPA, see routes/spa.ts); none in mock mode. */
  pages?: Hono;
  /** Hashing for ids and passwords: Web Crypto by default; the Node server passes node:crypto's. */
  digests?: Digests;
  /** Which passwords are right: the demo rule (`<username>_secret`, session/credentials.ts) by default. */
  credentials?: CredentialCheck;
  /** Request counts and durations (metrics/prometheus.ts); none: nothing is measured. */
  metrics?: HttpMetrics;
  /** Session ends, for the metrics; none by default. */
  sessionEvents?: SessionEvents;
  /** Tells `/api/health/ready` the server is draining (main.ts, after SIGTERM). */
  readiness?: Readiness;
}

/** Which methods each API path answers, for 405 + `Allow`. */
const allowedMethods: Record<string, string> = {
  [apiPaths.session]: 'GET, POST, DELETE',
  [apiPaths.heartbeat]: 'POST',
  [apiPaths.sessions]: 'GET, DELETE',
  [apiPaths.oneSession]: 'DELETE',
  [apiPaths.policy]: 'GET',
  [apiPaths.reauth]: 'POST',
  [apiPaths.devices]: 'DELETE',
  [apiPaths.hello]: 'GET',
  [apiPaths.health]: 'GET',
  [apiPaths.live]: 'GET',
  [apiPaths.ready]: 'GET',
  [apiPaths.notes]: 'GET, POST',
  [apiPaths.notesImport]: 'POST',
  [apiPaths.note]: 'GET, PUT, DELETE',
  [apiPaths.draft]: 'GET, PUT, DELETE',
};

/** Pages the app shows in its own iframes (the Help panel): `frame-ancestors 'self'` instead of `'none'`. */
const isFramedPage = (path: string) => path === '/help.html' || path === '/help.css';

/** What `app.use('/api/*')` matches: `/api` itself too. */
const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/');

/** Paths whose bodies carry a note (up to `maxNoteBodyBytes`); every other API body is small. */
const isNoteBodyPath = (path: string) =>
  path === apiPaths.notes || path === apiPaths.draft || path.startsWith(`${apiPaths.notes}/`);

/**
 * Whether `error` is the client closing the connection before its request body was read to the
 * end: Node rejects the read with an `ECONNRESET` "aborted" error, and the request's signal is
 * aborted once the socket is gone.
 */
function isAbortedRequest(error: Error, request: Request): boolean {
  return request.signal.aborted || (error as Error & { code?: unknown }).code === 'ECONNRESET';
}

/** 413 for a body over `limit`. */
function tooLarge(limit: number) {
  return (c: Context) => {
    // The rest of the body is still unread: @hono/node-server drains it, then destroys the
    // socket 500 ms later, under a client that has put it back in its keep-alive pool.
    c.header('Connection', 'close');
    return errorResponse(c, 413, 'payload_too_large', `The request body is larger than ${limit} bytes.`);
  };
}

/**
 * What the session rules (`createSessions`) are made of, but the request's logger: the app makes
 * them per request; the Node server's own heartbeat path (http/node-heartbeat.ts) from the same.
 */
export function sessionRulesOf({
  store,
  config,
  clock = { now: () => Date.now() },
  digests,
  credentials,
  sessionEvents,
}: Pick<AppDependencies, 'store' | 'config' | 'clock' | 'digests' | 'credentials' | 'sessionEvents'>) {
  return {
    store,
    clock,
    config: config.session,
    credentials: credentials ?? demoCredentials(digests),
    digests,
    events: sessionEvents,
  };
}

/**
 * The whole HTTP surface as a Fetch handler: `createApp(deps).fetch(request)`.
 * The Node server (main.ts) and the MSW mock (mocks/) both run exactly this.
 */
export function createApp({
  store,
  config,
  clock = { now: () => Date.now() },
  logger = createJsonLogger(),
  clientAddress = () => 'unknown',
  pages,
  digests,
  credentials,
  metrics,
  sessionEvents,
  readiness,
}: AppDependencies) {
  const sessionRules = sessionRulesOf({ store, config, clock, digests, credentials, sessionEvents });
  // The rules are made for each request that asks, with its logger (the id on every line).
  const sessions = (c: Context<AppEnv>) => createSessions({ ...sessionRules, logger: c.get('log') });
  const cookieMode = config.session.cookieSecure;
  const app = new Hono<AppEnv>();

  const notes = createNotes({ store, clock, config: config.session });
  const sessionBodyLimit = bodySizeLimit(maxBodyBytes, tooLarge(maxBodyBytes));
  const noteBodyLimit = bodySizeLimit(maxNoteBodyBytes, tooLarge(maxNoteBodyBytes));
  const importBodyLimit = bodySizeLimit(maxImportBytes, tooLarge(maxImportBytes));
  const trustProxy = config.trustProxy ?? false;
  const allowedOrigins = publicOrigins(config.publicOrigins);
  const frameOrigins = config.frameOrigins ?? [];
  const pageHeaders = documentHeaders({ frameOrigins });
  // The help page is shown in the app's Help panel: framed by the app itself, and by nothing else.
  const framedPageHeaders = documentHeaders({ frameOrigins, framedBySelf: true });
  // The first middleware: the request's id, and its report to the metrics once answered.
  app.use('*', requestIds({ trustProxy, logger, answered: metrics && answeredRequests(metrics) }));
  app.use('*', async (c, next) => {
    const client = viewOfClient(c.req.raw, clientAddress(c), trustProxy);
    c.set('client', client);
    if (sendsStrictTransportSecurity(client, cookieMode))
      c.header('Strict-Transport-Security', strictTransportSecurity);
    if (isApiPath(c.req.path)) return next();
    return (isFramedPage(c.req.path) ? framedPageHeaders : pageHeaders)(c, next);
  });
  app.use(
    '/api/*',
    apiResponseHeaders(),
    // Load balancers call the health check by address, with whatever Host they like.
    publicHostOnly(allowedOrigins, [apiPaths.health, apiPaths.live, apiPaths.ready]),
    sameOriginOnly(allowedOrigins),
    (c, next) =>
      (c.req.path === apiPaths.notesImport
        ? importBodyLimit
        : isNoteBodyPath(c.req.path)
          ? noteBodyLimit
          : sessionBodyLimit)(c, next),
  );

  app.route(apiPaths.session, currentSessionRoutes(sessions, config.session, frameOrigins));
  app.route(apiPaths.sessions, sessionListRoutes(sessions, cookieMode));
  app.route(apiPaths.devices, deviceRoutes(sessions, cookieMode));
  app.route(apiPaths.hello, helloRoutes(sessions, cookieMode));
  app.route(apiPaths.health, healthRoutes(store, readiness));
  app.route('/api', notesRoutes(sessions, notes, cookieMode));

  for (const [path, allow] of Object.entries(allowedMethods)) {
    app.all(path, (c) => {
      c.header('Allow', allow);
      return errorResponse(c, 405, 'method_not_allowed', `${c.req.method} is not allowed here; use ${allow}.`);
    });
  }
  app.all('/api/*', (c) => errorResponse(c, 404, 'not_found', `There is no API at ${new URL(c.req.url).pathname}.`));
  if (pages) app.route('/', pages);

  app.notFound((c) => c.text('Not found', 404));
  app.onError((error, c) => {
    if (error instanceof StoreUnavailableError) {
      // Not our bug and not the client's: the store is down, hung or cut off (decision 018).
      (c.get('log') ?? logger).error('store_unavailable', { path: c.req.path, message: error.message });
      metrics?.storeUnavailable();
      c.header('Retry-After', String(storeRetryAfterSeconds));
      return errorResponse(c, 503, 'store_unavailable', 'The server cannot reach its session store. Try again soon.', {
        retryAfterSeconds: storeRetryAfterSeconds,
      });
    }
    if (isAbortedRequest(error, c.req.raw)) {
      // The client went away while sending its body: nobody is left to answer, and nothing is
      // wrong here. One quiet line, no stack (anyone can do it, as often as they like).
      (c.get('log') ?? logger).info('request_aborted', { path: c.req.path });
      return errorResponse(c, 400, 'bad_request', 'The request body was not sent to the end.');
    }
    (c.get('log') ?? logger).error('unhandled_error', { path: c.req.path, message: error.message, stack: error.stack });
    return errorResponse(c, 500, 'internal_error', 'Something went wrong on our side.');
  });

  return app;
}
