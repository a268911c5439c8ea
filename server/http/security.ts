import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './env';
import { errorResponse } from './errors';

/**
 * Headers for every response, API and pages alike: a strict Content-Security-Policy without
 * inline script, no framing, no sniffing, no referrer. Only what is listed here: hono's extra
 * defaults (Origin-Agent-Cluster, X-XSS-Protection, ...) are off, and Strict-Transport-Security
 * is added per request by `strictTransportSecurity` below, only over https.
 */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xContentTypeOptions: true,
    referrerPolicy: 'no-referrer',
    xFrameOptions: 'DENY',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
    strictTransportSecurity: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
}

/** One year, subdomains included: sent only on a response to a request that came over https. */
export const strictTransportSecurity = 'max-age=31536000; includeSubDomains';

/**
 * 413 for a body over `maxBytes`. A request with a Content-Length is judged by it, without
 * touching the body (reading `Request.body` would make @hono/node-server build a web stream for
 * a body the route then reads in one piece); one without (chunked) goes through hono's
 * `bodyLimit`, which counts the bytes as they arrive.
 */
export function bodySizeLimit(
  maxBytes: number,
  onTooLarge: Parameters<typeof bodyLimit>[0]['onError'] & {},
): MiddlewareHandler<AppEnv> {
  const counting = bodyLimit({ maxSize: maxBytes, onError: onTooLarge });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const contentLength = c.req.header('Content-Length');
    if (contentLength !== undefined && c.req.header('Transfer-Encoding') === undefined) {
      return Number.parseInt(contentLength, 10) > maxBytes ? onTooLarge(c) : next();
    }
    return counting(c, next);
  };
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for state-changing requests: a browser tells us where a request came from
 * (`Sec-Fetch-Site`, `Origin`); anything but this origin is refused before it can change anything.
 * Requests without either header come from non-browser clients, which cannot carry a victim's cookie.
 */
export function sameOriginOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (safeMethods.has(c.req.method)) return next();
    const fetchSite = c.req.header('Sec-Fetch-Site');
    const origin = c.req.header('Origin');
    const crossSite =
      (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') ||
      (origin !== undefined && !isSameOrigin(origin, c.var.client.host));
    if (crossSite) return errorResponse(c, 403, 'cross_site_request', 'Cross-site requests are not allowed.');
    return next();
  };
}

function isSameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false; // "null" and other opaque origins
  }
}
