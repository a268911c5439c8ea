import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieSecure } from '../config';

/**
 * Over https the cookie is `__Host-sid` with `Secure`: the prefix makes the browser refuse it
 * unless it is Secure, has `Path=/` and no `Domain`, so no subdomain can plant or read one.
 */
function cookieName(secure: boolean): string {
  return secure ? '__Host-sid' : 'sid';
}

export function isSecureRequest(c: Context, mode: CookieSecure): boolean {
  if (mode !== 'auto') return mode === 'always';
  return new URL(c.req.url).protocol === 'https:' || c.req.header('X-Forwarded-Proto') === 'https';
}

export function readSessionCookie(c: Context, mode: CookieSecure): string | undefined {
  return getCookie(c, cookieName(isSecureRequest(c, mode)));
}

/** A session cookie (no Max-Age: it ends with the browser; the server decides expiry). */
export function writeSessionCookie(c: Context, mode: CookieSecure, id: string): void {
  const secure = isSecureRequest(c, mode);
  setCookie(c, cookieName(secure), id, { httpOnly: true, sameSite: 'Strict', path: '/', secure });
}

export function clearSessionCookie(c: Context, mode: CookieSecure): void {
  const secure = isSecureRequest(c, mode);
  deleteCookie(c, cookieName(secure), { httpOnly: true, sameSite: 'Strict', path: '/', secure });
}
