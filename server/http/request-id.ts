import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from '../logger';
import type { AppEnv } from './env';

/** The response header that carries the id, and the request header a proxy may set it in. */
export const requestIdHeader = 'X-Request-Id';

/**
 * An id from a proxy is taken only if it looks like one: 1-128 characters of letters, digits and
 * `-_.:+/=` (UUIDs, hex, base64, the usual tracing formats). Anything else could put newlines,
 * quotes or a megabyte into every log line of the request, so a fresh id replaces it.
 */
const wellFormedRequestId = /^[A-Za-z0-9._:+/=-]{1,128}$/;

export function isWellFormedRequestId(value: string | undefined): value is string {
  return value !== undefined && wellFormedRequestId.test(value);
}

/**
 * Where a request's id is kept while its code runs, so that log lines written deep in the session
 * rules carry it without passing it down: on Node an AsyncLocalStorage (request-scope.ts); none in
 * mock mode, which has no log reader.
 */
export interface RequestScope {
  run<T>(requestId: string, work: () => T): T;
  /** The id of the request whose code is running, if any. */
  current(): string | undefined;
}

/**
 * Gives every request an id: the proxy's `X-Request-Id` when `trustProxy` is on and it is well
 * formed, else a new UUID. It is answered in `X-Request-Id`, put on the context for error bodies
 * (http/errors.ts), and the rest of the request runs inside `scope`, so every log line has it.
 * With `answered` (the metrics, metrics/http-metrics.ts), it is called once the request has its
 * final answer, with the time it started: the first middleware times the whole request, and the
 * metrics cost no middleware of their own.
 */
export function requestIds({
  trustProxy,
  scope,
  answered,
}: {
  trustProxy: boolean;
  scope?: RequestScope;
  answered?: (c: Context<AppEnv>, startedAt: number) => void;
}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const startedAt = answered ? performance.now() : 0;
    const offered = trustProxy ? c.req.header(requestIdHeader) : undefined;
    const requestId = isWellFormedRequestId(offered) ? offered : crypto.randomUUID();
    c.set('requestId', requestId);
    c.header(requestIdHeader, requestId);
    if (scope) await scope.run(requestId, next);
    else await next();
    answered?.(c, startedAt);
  };
}

/** `logger`, with the running request's id (`requestId`) on every line written inside a request. */
export function withRequestIds(logger: Logger, scope: RequestScope): Logger {
  const withId =
    (write: Logger['info']): Logger['info'] =>
    (event, fields) => {
      const requestId = scope.current();
      write(event, requestId === undefined ? fields : { ...fields, requestId });
    };
  return { info: withId(logger.info), warn: withId(logger.warn), error: withId(logger.error) };
}
