import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, server } from './node';

const json = { 'Content-Type': 'application/json' };

function signIn(username = 'test', init: RequestInit = {}) {
  return fetch('/api/session', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username, password: `${username}_secret` }),
    ...init,
  });
}

/**
 * What a browser's Fetch does and Node's does not: a script-made `Request` drops `Cookie` and
 * `Content-Length`, a script-made `Response` drops `Set-Cookie` (forbidden header names).
 */
function emulateBrowserHeaderGuards() {
  const NodeRequest = globalThis.Request;
  const NodeResponse = globalThis.Response;
  class BrowserRequest extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(input, init);
      for (const name of ['cookie', 'content-length']) super.headers.delete(name);
    }
  }
  class BrowserResponse extends NodeResponse {
    constructor(body?: BodyInit | null, init?: ResponseInit) {
      const headers = new Headers(init?.headers);
      headers.delete('set-cookie');
      // `init` may be a Response (Hono passes one): its fields are getters, so no spreading.
      super(body, { status: init?.status, statusText: init?.statusText, headers });
    }
  }
  vi.stubGlobal('Request', BrowserRequest);
  vi.stubGlobal('Response', BrowserResponse);
}

afterEach(() => {
  vi.unstubAllGlobals();
});

const cookieNames = () => mockApi.cookies.list().map((cookie) => cookie.name);

describe('mock API (MSW + the real createApp)', () => {
  it('keeps the session cookie in its jar: the page never sees Set-Cookie nor the cookie', async () => {
    const response = await signIn();
    expect(response.status).toBe(201);
    expect(response.headers.get('Set-Cookie')).toBeNull();
    expect(document.cookie).toBe('');
    expect(mockApi.cookies.list()).toMatchObject([
      { name: 'sid', httpOnly: true, sameSite: 'Strict', path: '/' },
      { name: 'did', httpOnly: true, sameSite: 'Strict', path: '/' },
    ]);

    const hello = await fetch('/api/hello');
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ message: 'Hello World!' });
  });

  it('drops the session cookie when the server deletes it, and keeps the device token', async () => {
    await signIn();
    const signOut = await fetch('/api/session', { method: 'DELETE' });
    expect(signOut.status).toBe(204);
    expect(cookieNames()).toEqual(['did']);
    expect((await fetch('/api/session')).status).toBe(401);
  });

  it('works under browser header rules (no Cookie on a Request, no Set-Cookie on a Response)', async () => {
    emulateBrowserHeaderGuards();
    expect(new Response(null, { headers: { 'Set-Cookie': 'a=b' } }).headers.get('Set-Cookie')).toBeNull();

    expect((await signIn()).status).toBe(201);
    expect(cookieNames()).toEqual(['sid', 'did']);
    // A POST with a body goes through Hono's body limit, which must not lose the cookie.
    const heartbeat = await fetch('/api/session/heartbeat', { method: 'POST', headers: json, body: '{"idleForMs":0}' });
    expect(heartbeat.status).toBe(200);
    expect((await fetch('/api/hello')).status).toBe(200);
    expect((await fetch('/api/session', { method: 'DELETE' })).status).toBe(204);
    expect(cookieNames()).toEqual(['did']);
  });

  it('neither sends nor keeps cookies for credentials: omit', async () => {
    expect((await signIn('test', { credentials: 'omit' })).status).toBe(201);
    expect(mockApi.cookies.list()).toEqual([]);
    await signIn();
    expect((await fetch('/api/hello', { credentials: 'omit' })).status).toBe(401);
  });

  it('passes the same-origin check with or without Origin and Sec-Fetch-Site, and refuses cross-site', async () => {
    expect(
      (await signIn('test', { headers: { ...json, Origin: window.location.origin, 'Sec-Fetch-Site': 'same-origin' } }))
        .status,
    ).toBe(201);
    const crossSite = await signIn('test', { headers: { ...json, Origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
  });

  it('runs on Date.now(), so fake timers move the mock server', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-01-05T09:00:00Z') });
    await signIn();
    vi.setSystemTime(Date.now() + 59_999);
    expect((await fetch('/api/session')).status).toBe(200);
    vi.setSystemTime(Date.now() + 1);
    expect((await fetch('/api/session')).status).toBe(401);
  });

  it('configure() changes the limits; reset() restores them and forgets sessions and cookies', async () => {
    mockApi.configure({ idleTimeoutMs: 10_000, warningMs: 5_000 });
    const body = await (await signIn()).json();
    expect(body.session).toMatchObject({ idleTimeoutMs: 10_000, warningMs: 5_000, idleExpiresInMs: 10_000 });
    const sessionsBefore = mockApi.store;

    mockApi.reset();
    expect(mockApi.cookies.list()).toEqual([]);
    expect(mockApi.store).not.toBe(sessionsBefore);
    expect(mockApi.session.idleTimeoutMs).toBe(60_000);
    expect((await fetch('/api/session')).status).toBe(401);
    expect((await (await signIn()).json()).session.idleTimeoutMs).toBe(60_000);
  });

  it('refuses a config the server would refuse', () => {
    expect(() => mockApi.configure({ warningMs: 60_000 })).toThrow(/IDLE_WARNING/);
    mockApi.reset();
  });

  it('throttles every mock request as one client', async () => {
    for (let i = 0; i < 5; i++) {
      const failed = await fetch('/api/session', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: 'test', password: 'wrong' }),
      });
      expect(failed.status).toBe(401);
    }
    const limited = await signIn();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
  });

  it('logs to memory, not to the console', async () => {
    const write = vi.spyOn(process.stdout, 'write');
    await signIn();
    expect(write).not.toHaveBeenCalled();
    expect(mockApi.logs.some((line) => line.includes('"sign_in"'))).toBe(true);
  });

  it('lets a test put its own answer in front with server.use', async () => {
    server.use(
      http.get('*/api/hello', () => HttpResponse.json({ error: 'internal_error', message: 'x' }, { status: 500 })),
    );
    expect((await fetch('/api/hello')).status).toBe(500);
  });
});
