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

/** A request's id: the proxy's `X-Request-Id` (`offered`) with `trustProxy` when well formed, else a new UUID. */
export function requestIdOf(offered: string | undefined, trustProxy: boolean): string {
  return trustProxy && isWellFormedRequestId(offered) ? offered : crypto.randomUUID();
}

/**
 * Gives every request an id: the proxy's `X-Request-Id` when `trustProxy` is on and it is well
 * formed, else a new UUID. It is answered in `X-Request-Id`, put on the context for error bodies
 * (http/errors.ts), and `c.get('log')` is `logger` with the id on every line, which the app hands to
 * the rules it runs for the request: the id is passed down, not kept in an AsyncLocalStorage,
 * whose promise hook doubled a heartbeat's CPU on Node 20 (decision 022).
 * With `answered` (the metrics, metrics/http-metrics.ts), it is called once the request has its
 * final answer, with the time it started: the first middleware times the whole request, and the
 * metrics cost no middleware of their own.
 */
export function requestIds({
  trustProxy,
  logger,
  answered,
}: {
  trustProxy: boolean;
  logger: Logger;
  answered?: (c: Context<AppEnv>, startedAt: number) => void;
}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const startedAt = answered ? performance.now() : 0;
    const requestId = requestIdOf(c.req.header(requestIdHeader), trustProxy);
    c.set('requestId', requestId);
    c.set('log', withRequestId(logger, requestId));
    c.header(requestIdHeader, requestId);
    await next();
    answered?.(c, startedAt);
  };
}

/** `logger`, with `requestId` on every line. */
export function withRequestId(logger: Logger, requestId: string): Logger {
  return {
    info: (event, fields) => logger.info(event, { ...fields, requestId }),
    warn: (event, fields) => logger.warn(event, { ...fields, requestId }),
    error: (event, fields) => logger.error(event, { ...fields, requestId }),
  };
}
