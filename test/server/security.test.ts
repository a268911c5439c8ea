/** CSRF defence and security headers on the API ([docs/design.md#security-model](../../docs/design.md#security-model)). */
import { describe, expect, it } from 'vitest';
import { cookieFrom } from '../support/test-server';
import { apiClient, expectError, json, rawRequest, sessionBody, useTestApps } from './helpers';

const { inProcess, overHttp } = useTestApps();

const fromEvilSite = { Origin: 'https://evil.example' };

describe('a cross-site request that would change state', () => {
  it('cannot sign the user out: 403 cross_site_request, and the session is still valid', async () => {
    const server = await inProcess();
    const api = apiClient(server);
    const cookie = cookieFrom(await api.signIn());

    const response = await api.signOut(cookie, fromEvilSite);

    await expectError(response, 403, 'cross_site_request');
    expect(response.headers.get('Set-Cookie')).toBeNull();
    expect(response.headers.get('Clear-Site-Data')).toBeNull();
    expect((await api.getSession(cookie)).status).toBe(200);
  });

  it('cannot sign anybody in: 403 and no cookie', async () => {
    const server = await inProcess();
    const response = await apiClient(server).signIn('test', 'test_secret', { headers: fromEvilSite });

    await expectError(response, 403, 'cross_site_request');
    expect(response.headers.get('Set-Cookie')).toBeNull();
  });

  it('cannot replace the session of the browser by signing in over it', async () => {
    const server = await inProcess();
    const api = apiClient(server);
    const cookie = cookieFrom(await api.signIn());

    await api.signIn('mallory', 'mallory_secret', { cookie, headers: fromEvilSite });

    expect((await sessionBody(await api.getSession(cookie))).user).toEqual({ username: 'test' });
  });

  it('cannot keep a session alive with a heartbeat', async () => {
    const server = await inProcess();
    const api = apiClient(server);
    const cookie = cookieFrom(await api.signIn());
    server.clock.advance(30_000);

    await expectError(await api.heartbeat(cookie, {}, fromEvilSite), 403, 'cross_site_request');
    expect((await sessionBody(await api.getSession(cookie))).session.idleExpiresInMs).toBe(30_000);
  });

  it('does not count as a failed sign-in', async () => {
    const server = await inProcess({ session: { maxFailuresPerUserAndClient: 1 } });
    const api = apiClient(server);
    await api.signIn('test', 'wrong', { headers: fromEvilSite });

    expect((await api.signIn('test')).status).toBe(201);
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'Sec-Fetch-Site': 'same-site' }],
    ['Origin: null (sandboxed frame, data: URL)', { Origin: 'null' }],
    ['Origin of the same host on another port', { Origin: 'http://127.0.0.1:1' }],
    ['an Origin that is not a URL', { Origin: 'http://[' }],
  ])('is refused with %s', async (_name, headers) => {
    const server = await inProcess();
    const api = apiClient(server);
    const cookie = cookieFrom(await api.signIn());

    await expectError(await api.signOut(cookie, headers), 403, 'cross_site_request');
    expect((await api.getSession(cookie)).status).toBe(200);
  });
});

describe('a same-origin request', () => {
  it('is allowed with an Origin matching the Host', async () => {
    const server = await inProcess();
    const api = apiClient(server);
    const sameOrigin = { Origin: server.origin, 'Sec-Fetch-Site': 'same-origin' };

    const signedIn = await api.signIn('test', 'test_secret', { headers: sameOrigin });
    expect(signedIn.status).toBe(201);
    const cookie = cookieFrom(signedIn);
    expect((await api.heartbeat(cookie, {}, sameOrigin)).status).toBe(200);
    expect((await api.signOut(cookie, sameOrigin)).status).toBe(204);
  });

  it('is allowed with Sec-Fetch-Site: same-origin and no Origin', async () => {
    const server = await inProcess();
    const response = await apiClient(server).signIn('test', 'test_secret', {
      headers: { Origin: '', 'Sec-Fetch-Site': 'same-origin' },
    });
    expect(response.status).toBe(201);
  });
});

describe('a state-changing request that says nothing of where it came from', () => {
  it('is refused: 403, whatever the client (every browser sends Origin on POST and DELETE)', async () => {
    const server = await inProcess();
    const api = apiClient(server);
    const cookie = cookieFrom(await api.signIn());
    const noOrigin = { Origin: '' };

    await expectError(await api.signIn('test', 'test_secret', { headers: noOrigin }), 403, 'cross_site_request');
    await expectError(await api.heartbeat(cookie, {}, noOrigin), 403, 'cross_site_request');
    await expectError(await api.signOut(cookie, noOrigin), 403, 'cross_site_request');
    await expectError(await api.signOut(cookie, { Origin: '', 'Sec-Fetch-Site': 'none' }), 403, 'cross_site_request');
    expect((await api.getSession(cookie)).status).toBe(200);
  });
});

describe('the pinned origin (PUBLIC_ORIGIN)', () => {
  const rebinding = { Host: 'evil.example', Origin: 'http://evil.example' };

  it('answers 421 to a request for another host, even with an Origin matching it (DNS rebinding)', async () => {
    const server = await overHttp();
    const api = apiClient(server);
    const cookie = cookieFrom(await api.signIn());
    const raw = (method: string, path: string, body?: string) =>
      rawRequest(server.url, { method, path, headers: { ...json, ...rebinding, Cookie: cookie }, body });

    for (const response of [
      await raw('POST', '/api/session', JSON.stringify({ username: 'test', password: 'test_secret' })),
      await raw('GET', '/api/session'),
      await raw('POST', '/api/session/heartbeat', '{}'),
      await raw('GET', '/api/hello'),
    ]) {
      expect(response.status).toBe(421);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'misdirected_request' });
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    expect(server.logs.filter((line) => line.includes('"sign_in"'))).toHaveLength(1);
  });

  it('answers /api/health whatever the Host: load balancers call it by address', async () => {
    const server = await overHttp();
    for (const Host of ['evil.example', '10.0.0.7:3000', 'localhost']) {
      expect((await rawRequest(server.url, { path: '/api/health', headers: { Host } })).status).toBe(200);
    }
  });

  it('refuses an Origin of the same host and port over another scheme: 403', async () => {
    const server = await overHttp();
    const sameHostOverHttps = server.url.replace('http://', 'https://');

    const response = await apiClient(server).signIn('test', 'test_secret', { headers: { Origin: sameHostOverHttps } });

    await expectError(response, 403, 'cross_site_request');
  });

  it('accepts every origin it lists, and the default port spelled out in Host', async () => {
    const server = await overHttp({ publicOrigins: ['https://app.example.com', 'http://127.0.0.1:1'] });
    const signIn = (Host: string, Origin: string) =>
      rawRequest(server.url, {
        method: 'POST',
        path: '/api/session',
        headers: { ...json, Host, Origin },
        body: JSON.stringify({ username: 'test', password: 'test_secret' }),
      });

    expect((await signIn('app.example.com', 'https://app.example.com')).status).toBe(201);
    expect((await signIn('APP.example.com:443', 'https://app.example.com')).status).toBe(201);
    expect((await signIn('127.0.0.1:1', 'http://127.0.0.1:1')).status).toBe(201);
    expect((await signIn('app.example.com', 'http://127.0.0.1:1')).status).toBe(201);
    expect((await signIn('app.example.com', 'http://app.example.com')).status).toBe(403);
    expect((await signIn(new URL(server.url).host, server.url)).status).toBe(421);
  });

  it('checks X-Forwarded-Host instead of Host behind a trusted proxy', async () => {
    const server = await inProcess({ trustProxy: true, publicOrigins: ['https://app.example.com'] });
    const api = apiClient(server);
    const viaProxy = (host: string) => ({
      headers: { 'X-Forwarded-Host': host, 'X-Forwarded-Proto': 'https', Origin: `https://${host}` },
    });

    expect((await api.signIn('test', 'test_secret', viaProxy('app.example.com'))).status).toBe(201);
    await expectError(await api.signIn('test', 'test_secret', viaProxy('evil.example')), 421, 'misdirected_request');
  });
});

describe('a cross-site read', () => {
  it('is answered (GET has no side effects), and still needs the session', async () => {
    const server = await inProcess();
    const api = apiClient(server);
    const cookie = cookieFrom(await api.signIn());

    const response = await api.call('/api/session', {
      cookie,
      headers: { ...fromEvilSite, 'Sec-Fetch-Site': 'cross-site' },
    });

    expect(response.status).toBe(200);
    server.clock.advance(60_000);
    await expectError(await api.getSession(cookie), 401, 'unauthenticated');
  });
});

describe('security headers on the API', () => {
  it('are on successes and errors alike', async () => {
    const server = await inProcess();
    const api = apiClient(server);
    for (const response of [await api.health(), await api.getSession(), await api.call('/api/nowhere')]) {
      expect(response.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
    }
  });
});

describe('Strict-Transport-Security', () => {
  it('is sent when the request came over https (behind a trusted proxy), never over plain http', async () => {
    const api = apiClient(await inProcess({ trustProxy: true }));

    const overHttps = await api.call('/api/session/policy', { headers: { 'X-Forwarded-Proto': 'https' } });
    const overHttp = await api.call('/api/session/policy');

    expect(overHttps.headers.get('Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains');
    expect(overHttp.headers.get('Strict-Transport-Security')).toBeNull();
  });

  it('is not sent on a forged X-Forwarded-Proto when no proxy is trusted', async () => {
    const response = await apiClient(await inProcess()).call('/api/session/policy', {
      headers: { 'X-Forwarded-Proto': 'https' },
    });

    expect(response.headers.get('Strict-Transport-Security')).toBeNull();
  });

  it('is sent on every answer with COOKIE_SECURE=true, also without TRUST_PROXY (TLS ends in front of us)', async () => {
    const api = apiClient(await inProcess({ session: { cookieSecure: 'always' } }));

    for (const response of [await api.call('/api/session/policy'), await api.call('/')]) {
      expect(response.headers.get('Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains');
    }
  });
});

describe('the whole security header set', () => {
  it('of the API is exactly the set of decision 020, nothing hono adds by default', async () => {
    const response = await apiClient(await inProcess()).health();

    const names = [...response.headers.keys()].filter((name) => name !== 'content-type' && name !== 'content-length');
    expect(Object.fromEntries(names.map((name) => [name, response.headers.get(name)]))).toEqual({
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'cross-origin-resource-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      // Not a security header: the request's id (issue 21), on every answer.
      'x-request-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('of the help page lets the app alone frame it, and FRAME_ORIGINS go into frame-src', async () => {
    const server = await inProcess({ frameOrigins: ['https://reports.example.com'] });
    const help = await apiClient(server).call('/help.html');
    const csp = help.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("frame-src 'self' https://reports.example.com");
    expect(help.headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
    const page = await apiClient(server).call('/notes');
    expect(page.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('X-Frame-Options')).toBe('DENY');
  });

  it('of the pages is the document policy: a CSP without inline script, no framing, no powerful features', async () => {
    const response = await apiClient(await inProcess()).call('/not-an-api-path');

    expect(response.headers.get('Content-Security-Policy')).toBe(
      "default-src 'self'; frame-src 'self'; child-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(response.headers.get('X-Frame-Options')).toBe('DENY');
    expect(response.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(response.headers.get('Cross-Origin-Resource-Policy')).toBe('same-origin');
    expect(response.headers.get('Permissions-Policy')).toBe('camera=(), microphone=(), geolocation=()');
    expect(response.headers.get('X-XSS-Protection')).toBeNull();
  });
});
