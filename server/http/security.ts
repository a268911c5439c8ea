import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { CookieSecure } from '../session/policy';
import type { ClientView } from './client';
import type { AppEnv } from './env';
import { errorResponse } from './errors';
import { isPublicHost, isPublicOrigin, type PublicOrigins } from './origin';

/**
 * Headers for the pages (the SPA's documents and files): a strict Content-Security-Policy without
 * inline script, no framing, no sniffing, no referrer, no access to camera, microphone or
 * location. Only what is listed here: hono's extra defaults (Origin-Agent-Cluster,
 * X-XSS-Protection, ...) are off, and Strict-Transport-Security is added per request, only over
 * https. API responses get `apiHeaders` instead.
 */
export function documentHeaders({
  frameOrigins = [],
  framedBySelf = false,
}: {
  /** FRAME_ORIGINS: other origins the app's pages may show in an iframe (besides its own). */
  frameOrigins?: readonly string[];
  /** A page the app shows in its own iframe (help.html): framed by this origin, and by no other. */
  framedBySelf?: boolean;
} = {}): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      // Same-origin frames (the Help panel) and the allow-listed ones; `child-src` for old browsers.
      frameSrc: ["'self'", ...frameOrigins],
      childSrc: ["'self'", ...frameOrigins],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: [framedBySelf ? "'self'" : "'none'"],
    },
    xContentTypeOptions: true,
    referrerPolicy: 'no-referrer',
    xFrameOptions: framedBySelf ? 'SAMEORIGIN' : 'DENY',
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

/**
 * Headers for every `/api` response (decision 020): JSON is never a document, so it gets the
 * API set of OWASP's REST Security Cheat Sheet, and a policy that allows nothing at all should a
 * browser ever render one. Not cached anywhere (a session's answers are personal and change with
 * every heartbeat), not sniffed into HTML, not framed, not read by another site's `<script>` or
 * `<img>` (CORP). COOP and Permissions-Policy govern documents, which an API response never is.
 */
export const apiHeaders: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};
const apiHeaderEntries = Object.entries(apiHeaders);

/**
 * Sets `apiHeaders` before the route answers, so they are part of the response as it is built,
 * errors and 404s included (set afterwards, Hono would have to copy the finished response).
 */
export function apiResponseHeaders(): MiddlewareHandler {
  return async (c, next) => {
    for (const [name, value] of apiHeaderEntries) c.header(name, value);
    return next();
  };
}

/** One year, subdomains included: sent only on a response to a request that came over https. */
export const strictTransportSecurity = 'max-age=31536000; includeSubDomains';

/**
 * Whether an answer carries `Strict-Transport-Security`: the request came over https, or
 * COOKIE_SECURE=true says the site is served over https even when no proxy says so per request.
 */
export function sendsStrictTransportSecurity(client: ClientView, cookieMode: CookieSecure): boolean {
  return client.secure || cookieMode === 'always';
}

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

/** `sameOriginOnly`'s rule, on the request's `Sec-Fetch-Site` and `Origin` headers. */
export function comesFromPublicOrigin(
  fetchSite: string | undefined,
  origin: string | undefined,
  allowed: PublicOrigins,
): boolean {
  return (
    (fetchSite === undefined || fetchSite === 'same-origin') &&
    (origin !== undefined ? isPublicOrigin(origin, allowed) : fetchSite === 'same-origin')
  );
}

/**
 * CSRF defence for state-changing requests: the browser says where a request came from, and
 * only a request that says it came from one of the public origins (scheme, host and port) may
 * change anything: an `Origin` that is one of them, or, without `Origin`, `Sec-Fetch-Site:
 * same-origin`. A request that says neither is refused too: every browser sends `Origin` on
 * POST and DELETE, and a client that sends none can send the right one.
 */
export function sameOriginOnly(allowed: PublicOrigins): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (safeMethods.has(c.req.method)) return next();
    if (!comesFromPublicOrigin(c.req.header('Sec-Fetch-Site'), c.env?.origin ?? c.req.header('Origin'), allowed)) {
      return errorResponse(c, 403, 'cross_site_request', 'Requests from other sites or without an Origin are refused.');
    }
    return next();
  };
}

/**
 * 421 for an API request addressed to a host that is not one of the public origins': a page on
 * another name that resolves here (DNS rebinding) cannot call the API, even with an `Origin`
 * that matches its own `Host`. `exempt` paths (the health check, which load balancers call by
 * address) are answered whatever the host.
 */
export function publicHostOnly(allowed: PublicOrigins, exempt: readonly string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (isPublicHost(c.get('client').host, allowed) || exempt.includes(c.req.path)) return next();
    return errorResponse(
      c,
      421,
      'misdirected_request',
      'This server does not answer for the host this request was sent to (see PUBLIC_ORIGIN).',
    );
  };
}
