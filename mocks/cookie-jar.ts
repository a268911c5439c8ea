/**
 * A tiny browser cookie store for the MSW mock and the contract tests.
 *
 * In mock mode no real cookie store is involved: a page cannot set `Cookie` on a request, nor
 * read `Set-Cookie` from a response (both are forbidden header names), and a mocked response
 * never reaches the browser's cookie store. So the mock keeps cookies here, as a browser would:
 * per host and path, `Secure` ones only over https (or localhost), gone at `Max-Age`/`Expires`.
 * `HttpOnly` cookies stay here and never show up in `document.cookie`; this jar never writes
 * `document.cookie` at all.
 *
 * Not modelled, because this app does not use them: `Domain` (every cookie is host-only),
 * `SameSite` enforcement (the mock only sees same-origin requests), size limits.
 */

export interface StoredCookie {
  name: string;
  value: string;
  /** The host that set it (`localhost:5173`); sent only back to that host. */
  host: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: 'Strict' | 'Lax' | 'None' | undefined;
  /** When it goes, in the jar clock's milliseconds; undefined for a session cookie. */
  expiresAt: number | undefined;
}

export interface CookieJar {
  /** Records `Set-Cookie` lines from a response to `url`, as a browser would (deletions too). */
  store(setCookie: string | readonly string[], url: string | URL): void;
  /** The `Cookie` header a browser would send with a request to `url`, or undefined when none applies. */
  header(url: string | URL): string | undefined;
  /** The live cookies, oldest first. */
  list(): StoredCookie[];
  clear(): void;
}

export interface CookieJarOptions {
  /** Milliseconds since the epoch, for `Max-Age` and `Expires`. Default: `Date.now()` (fake timers drive it). */
  now?: () => number;
}

/** A browser treats http://localhost as a secure context and sends `Secure` cookies to it. */
function isSecureUrl(url: URL): boolean {
  return (
    url.protocol === 'https:' ||
    url.hostname === 'localhost' ||
    url.hostname === '127.0.0.1' ||
    url.hostname === '[::1]'
  );
}

/** RFC 6265 5.1.4: the directory of the request path, the default for a cookie without `Path`. */
function defaultPath(url: URL): string {
  const path = url.pathname;
  if (!path.startsWith('/')) return '/';
  const lastSlash = path.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : path.slice(0, lastSlash);
}

/** RFC 6265 5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function parseSameSite(value: string): StoredCookie['sameSite'] {
  const lower = value.toLowerCase();
  if (lower === 'strict') return 'Strict';
  if (lower === 'lax') return 'Lax';
  if (lower === 'none') return 'None';
  return undefined;
}

/**
 * Parses one `Set-Cookie` line. Returns undefined for a line a browser would ignore
 * (no `=`, empty name, a `__Host-`/`__Secure-` cookie without what its prefix demands).
 */
export function parseSetCookie(line: string, url: URL, now: number): StoredCookie | undefined {
  const [pair, ...attributes] = line.split(';');
  const equals = pair.indexOf('=');
  if (equals < 0) return undefined;
  const name = pair.slice(0, equals).trim();
  const value = pair.slice(equals + 1).trim();
  if (name === '') return undefined;

  const cookie: StoredCookie = {
    name,
    value,
    host: url.host,
    path: defaultPath(url),
    secure: false,
    httpOnly: false,
    sameSite: undefined,
    expiresAt: undefined,
  };
  let maxAge: number | undefined;
  let expires: number | undefined;
  for (const attribute of attributes) {
    const separator = attribute.indexOf('=');
    const key = (separator < 0 ? attribute : attribute.slice(0, separator)).trim().toLowerCase();
    const attributeValue = separator < 0 ? '' : attribute.slice(separator + 1).trim();
    if (key === 'path' && attributeValue.startsWith('/')) cookie.path = attributeValue;
    else if (key === 'secure') cookie.secure = true;
    else if (key === 'httponly') cookie.httpOnly = true;
    else if (key === 'samesite') cookie.sameSite = parseSameSite(attributeValue);
    else if (key === 'max-age' && /^-?\d+$/.test(attributeValue)) maxAge = Number(attributeValue);
    else if (key === 'expires') {
      const time = Date.parse(attributeValue);
      if (!Number.isNaN(time)) expires = time;
    }
  }
  // Max-Age wins over Expires (RFC 6265 5.3 step 3).
  if (maxAge !== undefined) cookie.expiresAt = maxAge <= 0 ? -Infinity : now + maxAge * 1000;
  else if (expires !== undefined) cookie.expiresAt = expires;

  if (cookie.secure && !isSecureUrl(url)) return undefined;
  if (name.startsWith('__Secure-') && !cookie.secure) return undefined;
  if (name.startsWith('__Host-') && (!cookie.secure || cookie.path !== '/')) return undefined;
  return cookie;
}

/** A session cookie lives until the browser closes; any other until its expiry. */
function isLive(cookie: StoredCookie, now: number): boolean {
  return cookie.expiresAt === undefined || cookie.expiresAt > now;
}

/** A new, empty cookie jar. */
export function createCookieJar({ now = () => Date.now() }: CookieJarOptions = {}): CookieJar {
  let cookies: StoredCookie[] = [];
  const sameSlot = (a: StoredCookie, b: StoredCookie) => a.name === b.name && a.host === b.host && a.path === b.path;

  function dropExpired(): void {
    const time = now();
    cookies = cookies.filter((cookie) => isLive(cookie, time));
  }

  return {
    store(setCookie, url) {
      const target = new URL(url);
      const lines = typeof setCookie === 'string' ? [setCookie] : setCookie;
      for (const line of lines) {
        const cookie = parseSetCookie(line, target, now());
        if (!cookie) continue;
        // A cookie replaces the one with the same name, host and path; an expired one only deletes it.
        cookies = cookies.filter((existing) => !sameSlot(existing, cookie));
        if (isLive(cookie, now())) cookies.push(cookie);
      }
    },
    header(url) {
      dropExpired();
      const target = new URL(url);
      const matching = cookies
        .filter((cookie) => cookie.host === target.host && pathMatches(target.pathname, cookie.path))
        .filter((cookie) => !cookie.secure || isSecureUrl(target))
        // Longer paths first (RFC 6265 5.4 step 2); the sort is stable, so older first otherwise.
        .sort((a, b) => b.path.length - a.path.length);
      return matching.length === 0 ? undefined : matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
    },
    list() {
      dropExpired();
      return cookies.map((cookie) => ({ ...cookie }));
    },
    clear() {
      cookies = [];
    },
  };
}

/** A `Set-Cookie` line that recreates `cookie` in another jar (to copy a browser's cookies). */
export function toSetCookie(cookie: StoredCookie): string {
  const parts = [`${cookie.name}=${cookie.value}`, `Path=${cookie.path}`];
  if (cookie.expiresAt !== undefined) parts.push(`Expires=${new Date(cookie.expiresAt).toUTCString()}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}
