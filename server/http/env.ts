import type { ErrorCode } from '../../shared/contract';
import type { Logger } from '../logger';
import type { ClientView } from './client';

/**
 * What a transport hands the app with each request: `app.fetch(request, bindings)`.
 *
 * The Node server passes its own bindings (the socket, for the client address) and leaves the
 * cookie fields unset: real `Cookie` and `Set-Cookie` headers carry the session. A transport
 * whose Request and Response objects cannot carry cookies (MSW in a browser, where both are
 * forbidden headers) passes the request's cookies in `cookieHeader` and collects the response's
 * `Set-Cookie` lines with `onSetCookie`. See mocks/handlers.ts.
 */
export interface AppBindings {
  /** The request's `Cookie` header, when the Request object cannot hold it. */
  cookieHeader?: string;
  /** Receives each `Set-Cookie` line the app writes, when the Response object cannot hold it. */
  onSetCookie?: (line: string) => void;
  /** The request's `Origin` header, when the Request object cannot hold it (a forbidden header too). */
  origin?: string;
  /**
   * An error the Node server's own heartbeat path met on this request before it handed the
   * request to the app (http/node-heartbeat.ts): the heartbeat route throws it, so its answer
   * (503 for a store outage) is the app's, and the store is not asked twice.
   */
  failure?: { error: unknown };
}

/**
 * What middleware puts on the request context for the routes. Read it with `c.get('client')`:
 * hono's `c.var` builds a new object of all the variables at every access.
 */
export interface AppEnv {
  Bindings: AppBindings;
  Variables: {
    /** The request as the browser made it (see client.ts). */
    client: ClientView;
    /** The request's id (request-id.ts): in `X-Request-Id`, every log line and every error body. */
    requestId: string;
    /** The app's logger with this request's id on every line (request-id.ts). */
    log: Logger;
    /** The error code of the answer, set by `errorResponse`: what the metrics classify by. */
    errorCode: ErrorCode | undefined;
    /** An outcome the route knows better than its status says (a 429 of the lock: `locked`). */
    outcome: string | undefined;
  };
}
