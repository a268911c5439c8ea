import type { Context } from 'hono';
import { parse, serialize } from 'hono/utils/cookie';
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
  const name = cookieName(secure, which);
  return parse(header, name)[name];
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
