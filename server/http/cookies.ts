import type { Context } from 'hono';
import { serialize } from 'hono/utils/cookie';
import { tryDecodeURIComponent } from 'hono/utils/url';
import type { CookieSecure } from '../session/policy';
import type { ClientView } from './client';
import type { AppEnv } from './env';

/**
 * Over https a cookie is `__Host-<name>` with `Secure`: the prefix makes the browser refuse it
 * unless it is Secure, has `Path=/` and no `Domain`, so no subdomain can plant or read one.
 * Two cookies: `sid`, the session, and `did`, the device token (session/throttle.ts).
 */
function cookieName(secure: boolean, name: 'sid' | 'did' = 'sid'): string {
  return secure ? `__Host-${name}` : name;
}

/** Whether the cookies are the `Secure` kind: over https (or always, or never, by COOKIE_SECURE). */
export function usesSecureCookies(mode: CookieSecure, client: ClientView): boolean {
  return mode === 'auto' ? client.secure : mode === 'always';
}

function isSecureRequest(c: Context<AppEnv>, mode: CookieSecure): boolean {
  return usesSecureCookies(mode, c.get('client'));
}

/** One cookie's value in a `Cookie` header, by its name on a secure or plain request. */
export function cookieIn(header: string | undefined, secure: boolean, which: 'sid' | 'did'): string | undefined {
  if (!header) return undefined;
  return cookieValue(header, cookieName(secure, which));
}

// hono's rules for a cookie's name and value (hono/utils/cookie's `parse`).
const validCookieName = /^[!#-:<>-[\]-~]+$/;
const validCookieValue = /^[ !#-:<-[\]-~]*$/;

/** `value` without the spaces and tabs around it. */
function trimmed(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 32 || value.charCodeAt(start) === 9)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 32 || value.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/**
 * The value of the cookie `name` in a `Cookie` header, read as hono's `parse(header, name)[name]`
 * reads it (the first pair of that name with a valid value, trimmed, unquoted, percent-decoded),
 * without the array and the dictionary object it makes: every request reads a cookie, and that
 * cost about 2 µs of a heartbeat (issue 22). A test holds the two equal on random headers.
 */
export function cookieValue(header: string, name: string): string | undefined {
  if (header.indexOf(name) === -1) return undefined;
  // The next `=` is looked for again only once passed: a header of many `;` stays linear.
  let equals = -1;
  for (let start = 0; start <= header.length;) {
    const semicolon = header.indexOf(';', start);
    const end = semicolon === -1 ? header.length : semicolon;
    if (equals < start) {
      equals = header.indexOf('=', start);
      if (equals === -1) return undefined;
    }
    if (equals < end && trimmed(header.slice(start, equals)) === name && validCookieName.test(name)) {
      let value = trimmed(header.slice(equals + 1, end));
      if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (validCookieValue.test(value)) return tryDecodeURIComponent(value);
    }
    start = end + 1;
  }
  return undefined;
}

function readCookie(c: Context<AppEnv>, mode: CookieSecure, which: 'sid' | 'did'): string | undefined {
  return cookieIn(c.env?.cookieHeader ?? c.req.header('Cookie'), isSecureRequest(c, mode), which);
}

export function readSessionCookie(c: Context<AppEnv>, mode: CookieSecure): string | undefined {
  return readCookie(c, mode, 'sid');
}

export function readDeviceCookie(c: Context<AppEnv>, mode: CookieSecure): string | undefined {
  return readCookie(c, mode, 'did');
}

function writeCookie(c: Context<AppEnv>, line: string): void {
  c.header('Set-Cookie', line, { append: true });
  c.env?.onSetCookie?.(line);
}

/** The session cookie's one `Set-Cookie` line: HttpOnly, SameSite=Strict, Path=/, Secure over https. */
function setSessionCookie(c: Context<AppEnv>, mode: CookieSecure, value: string, maxAge?: number): void {
  const secure = isSecureRequest(c, mode);
  const options = { httpOnly: true, sameSite: 'Strict', path: '/', secure, maxAge } as const;
  writeCookie(c, serialize(cookieName(secure), value, options));
}

/** A session cookie (no Max-Age: it ends with the browser; the server decides expiry). */
export function writeSessionCookie(c: Context<AppEnv>, mode: CookieSecure, id: string): void {
  setSessionCookie(c, mode, id);
}

/**
 * The device token: like the session cookie, but it outlives the browser session and sign-out
 * (`Max-Age`), so the next sign-in from this browser is known to come from a device that has
 * signed in as that user before.
 */
export function writeDeviceCookie(c: Context<AppEnv>, mode: CookieSecure, token: string, maxAgeMs: number): void {
  const secure = isSecureRequest(c, mode);
  const options = {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure,
    maxAge: Math.floor(maxAgeMs / 1000),
  } as const;
  writeCookie(c, serialize(cookieName(secure, 'did'), token, options));
}

export function clearSessionCookie(c: Context<AppEnv>, mode: CookieSecure): void {
  setSessionCookie(c, mode, '', 0);
}
