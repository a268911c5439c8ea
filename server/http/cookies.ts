import type { Context } from 'hono';
import { parse, serialize } from 'hono/utils/cookie';
import type { CookieSecure } from '../config';
import type { AppEnv } from './env';

/**
 * Over https the cookie is `__Host-sid` with `Secure`: the prefix makes the browser refuse it
 * unless it is Secure, has `Path=/` and no `Domain`, so no subdomain can plant or read one.
 */
function cookieName(secure: boolean): string {
  return secure ? '__Host-sid' : 'sid';
}

function isSecureRequest(c: Context<AppEnv>, mode: CookieSecure): boolean {
  return mode === 'auto' ? c.var.client.secure : mode === 'always';
}

export function readSessionCookie(c: Context<AppEnv>, mode: CookieSecure): string | undefined {
  const header = c.env?.cookieHeader ?? c.req.header('Cookie');
  if (!header) return undefined;
  const name = cookieName(isSecureRequest(c, mode));
  return parse(header, name)[name];
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

export function clearSessionCookie(c: Context<AppEnv>, mode: CookieSecure): void {
  setSessionCookie(c, mode, '', 0);
}
