import { describe, expect, it } from 'vitest';
import { createCookieJar, toSetCookie } from './cookie-jar';

const origin = 'http://localhost:5173';

function jarAt(start = 1_000_000) {
  let now = start;
  const jar = createCookieJar({ now: () => now });
  return { jar, advance: (ms: number) => void (now += ms) };
}

describe('cookie jar', () => {
  it('sends back what the server set, HttpOnly included, and never touches document.cookie', () => {
    const { jar } = jarAt();
    jar.store('sid=abc; Path=/; HttpOnly; SameSite=Strict', `${origin}/api/session`);
    expect(jar.header(`${origin}/api/hello`)).toBe('sid=abc');
    expect(jar.list()).toEqual([
      {
        name: 'sid',
        value: 'abc',
        host: 'localhost:5173',
        path: '/',
        secure: false,
        httpOnly: true,
        sameSite: 'Strict',
        expiresAt: undefined,
      },
    ]);
    expect(document.cookie).not.toContain('sid');
  });

  it('answers undefined when no cookie applies', () => {
    const { jar } = jarAt();
    expect(jar.header(`${origin}/api/hello`)).toBeUndefined();
  });

  it('replaces a cookie of the same name and path', () => {
    const { jar } = jarAt();
    jar.store('sid=one; Path=/', origin);
    jar.store('sid=two; Path=/', origin);
    expect(jar.header(`${origin}/`)).toBe('sid=two');
    expect(jar.list()).toHaveLength(1);
  });

  it('deletes on Max-Age=0, as hono/cookie deleteCookie writes it', () => {
    const { jar } = jarAt();
    jar.store('sid=abc; Path=/; HttpOnly', origin);
    jar.store('sid=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict', origin);
    expect(jar.header(`${origin}/api/session`)).toBeUndefined();
    expect(jar.list()).toEqual([]);
  });

  it('deletes on an Expires in the past, and Max-Age wins over Expires', () => {
    const { jar } = jarAt(Date.UTC(2026, 0, 1));
    jar.store('a=1; Path=/', origin);
    jar.store('a=; Path=/; Expires=Wed, 31 Dec 2025 00:00:00 GMT', origin);
    expect(jar.header(origin)).toBeUndefined();
    jar.store('b=2; Path=/; Max-Age=60; Expires=Wed, 31 Dec 2025 00:00:00 GMT', origin);
    expect(jar.header(origin)).toBe('b=2');
  });

  it('drops a cookie when its Max-Age runs out on the jar clock', () => {
    const { jar, advance } = jarAt();
    jar.store('a=1; Path=/; Max-Age=10', origin);
    advance(9_999);
    expect(jar.header(origin)).toBe('a=1');
    advance(1);
    expect(jar.header(origin)).toBeUndefined();
  });

  it('keeps deleting one cookie from touching another path or name', () => {
    const { jar } = jarAt();
    jar.store(['a=1; Path=/', 'b=2; Path=/api'], origin);
    jar.store('a=; Path=/api; Max-Age=0', origin);
    expect(jar.header(`${origin}/api/x`)).toBe('b=2; a=1');
  });

  it('matches paths as RFC 6265 does, longer paths first', () => {
    const { jar } = jarAt();
    jar.store(['root=1; Path=/', 'api=2; Path=/api'], origin);
    expect(jar.header(`${origin}/api`)).toBe('api=2; root=1');
    expect(jar.header(`${origin}/api/session`)).toBe('api=2; root=1');
    expect(jar.header(`${origin}/apiary`)).toBe('root=1');
    expect(jar.header(`${origin}/`)).toBe('root=1');
  });

  it('defaults the path to the directory of the request', () => {
    const { jar } = jarAt();
    jar.store('a=1', `${origin}/api/session`);
    expect(jar.list()[0].path).toBe('/api');
    expect(jar.header(`${origin}/other`)).toBeUndefined();
  });

  it('sends a cookie only to the host that set it', () => {
    const { jar } = jarAt();
    jar.store('sid=abc; Path=/', origin);
    expect(jar.header('http://localhost:3000/api/hello')).toBeUndefined();
    expect(jar.header('http://example.test:5173/api/hello')).toBeUndefined();
  });

  it('takes and sends Secure cookies over https and localhost only', () => {
    const { jar } = jarAt();
    jar.store('a=1; Path=/; Secure', 'http://example.test/');
    expect(jar.list()).toEqual([]);
    jar.store('a=1; Path=/; Secure', 'https://example.test/');
    expect(jar.header('https://example.test/api')).toBe('a=1');
    expect(jar.header('http://example.test/api')).toBeUndefined();
    jar.store('b=2; Path=/; Secure', 'http://localhost/');
    expect(jar.header('http://localhost/api')).toBe('b=2');
  });

  it('refuses __Host- cookies without Secure or with a narrower path', () => {
    const { jar } = jarAt();
    jar.store('__Host-sid=1; Path=/', 'https://example.test/');
    jar.store('__Host-sid=2; Path=/api; Secure', 'https://example.test/');
    jar.store('__Secure-x=3; Path=/', 'https://example.test/');
    expect(jar.list()).toEqual([]);
    jar.store('__Host-sid=4; Path=/; Secure; HttpOnly', 'https://example.test/');
    expect(jar.header('https://example.test/api/session')).toBe('__Host-sid=4');
  });

  it('ignores lines a browser would ignore', () => {
    const { jar } = jarAt();
    jar.store(['no-equals-sign', '=value; Path=/', ''], origin);
    expect(jar.list()).toEqual([]);
  });

  it('keeps an = inside the value', () => {
    const { jar } = jarAt();
    jar.store('t=a=b==; Path=/', origin);
    expect(jar.header(origin)).toBe('t=a=b==');
  });

  it('clear() forgets everything', () => {
    const { jar } = jarAt();
    jar.store(['a=1; Path=/', 'b=2; Path=/'], origin);
    jar.clear();
    expect(jar.header(origin)).toBeUndefined();
  });
});

describe('toSetCookie', () => {
  it('recreates a cookie, attributes and all, in another jar', () => {
    const { jar } = jarAt(Date.UTC(2026, 0, 1));
    jar.store(['sid=abc; Path=/; HttpOnly; SameSite=Strict', 'pref=1; Path=/api; Max-Age=3600; Secure'], origin);
    const { jar: copy } = jarAt(Date.UTC(2026, 0, 1));
    copy.store(jar.list().map(toSetCookie), origin);
    expect(copy.list()).toEqual(jar.list());
  });
});
