/**
 * The API contract of [docs/design.md#http-api](../../docs/design.md#http-api), written once and run against every implementation of
 * it: the real server over HTTP (server.test.ts) and the MSW mock (mock.test.ts). Both must
 * pass; a mock that drifts from the server fails here.
 *
 * Each test gets a fresh target (server or mock) with the config below and a clock that moves
 * only when the test says so, so every duration in a response can be checked exactly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError, ErrorCode, SessionTiming } from '../../shared/contract';
import { defaultSessionConfig, type SessionConfig } from '../../server/config';
import type { StoredCookie } from '../../mocks/cookie-jar';

/** One browser: its own cookie jar, which it sends and fills as a browser does. */
export interface ContractBrowser {
  /** `fetch` to `path` on the target (`/api/...`), with this browser's cookies. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** This browser's cookies, HttpOnly included. */
  cookies(): StoredCookie[];
  /** Replaces this browser's cookies with copied `name=value` pairs: a replay of a stolen cookie. */
  replaceCookies(pairs: string[]): void;
  /** The origin a page of the target would have, for a same-origin `Origin` header. */
  origin: string;
}

export interface ContractTarget {
  /** A new browser with an empty cookie jar. */
  browser(): ContractBrowser;
  /** Moves the server's clock forward. */
  advance(ms: number): void;
  close(): Promise<void>;
}

export type MakeContractTarget = (options: { session: SessionConfig }) => Promise<ContractTarget>;

/** The config every contract test runs with: the server's defaults, and an absolute limit short enough to reach. */
export const contractSession: SessionConfig = { ...defaultSessionConfig, absoluteTimeoutMs: 5 * 60_000 };

const idle = contractSession.idleTimeoutMs;
const absolute = contractSession.absoluteTimeoutMs;
const jsonHeaders = { 'Content-Type': 'application/json' };

const signInBody = (username = 'test', password = `${username}_secret`) => JSON.stringify({ username, password });

function post(body: string | undefined, headers: Record<string, string> = jsonHeaders): RequestInit {
  return { method: 'POST', headers, body };
}

/** Reads a JSON response, checking status, `Content-Type` and `Cache-Control: no-store`. */
async function expectJson(response: Response, status: number): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect(response.status, `status (body: ${text})`).toBe(status);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  const body: unknown = JSON.parse(text);
  expect(body).toBeTypeOf('object');
  expect(body).not.toBeNull();
  expect(Array.isArray(body)).toBe(false);
  return body as Record<string, unknown>;
}

/** An error answer: the status, `{ error, message }` and nothing else but the documented extras. */
async function expectError(response: Response, status: number, code: ErrorCode): Promise<ApiError> {
  const body = await expectJson(response, status);
  expect(body.error).toBe(code);
  expect(body.message).toBeTypeOf('string');
  expect((body.message as string).length).toBeGreaterThan(0);
  for (const key of Object.keys(body)) expect(['error', 'message', 'field', 'retryAfterSeconds']).toContain(key);
  if ('field' in body) expect(body.field).toBeTypeOf('string');
  return body as unknown as ApiError;
}

/** `SessionTiming`, field by field: exactly these five, each a whole number of ms, within its bounds. */
function expectTiming(
  value: unknown,
  expected: { idleExpiresInMs: number; absoluteExpiresInMs: number },
): SessionTiming {
  expect(value).toBeTypeOf('object');
  const timing = value as Record<string, unknown>;
  expect(Object.keys(timing).sort()).toEqual([
    'absoluteExpiresInMs',
    'heartbeatIntervalMs',
    'idleExpiresInMs',
    'idleTimeoutMs',
    'warningMs',
  ]);
  for (const key of Object.keys(timing)) {
    expect(timing[key], key).toBeTypeOf('number');
    expect(Number.isSafeInteger(timing[key]), `${key} is a whole number of ms`).toBe(true);
    expect(timing[key] as number, key).toBeGreaterThanOrEqual(0);
  }
  expect(timing.idleTimeoutMs).toBe(contractSession.idleTimeoutMs);
  expect(timing.warningMs).toBe(contractSession.warningMs);
  expect(timing.idleExpiresInMs).toBe(expected.idleExpiresInMs);
  expect(timing.absoluteExpiresInMs).toBe(expected.absoluteExpiresInMs);
  // docs/design.md#timing-model: H <= (idle - warning) / 3 and H <= 60 s, so activity is reported three times before a warning.
  const heartbeat = timing.heartbeatIntervalMs as number;
  expect(heartbeat).toBeGreaterThan(0);
  expect(heartbeat).toBeLessThanOrEqual((contractSession.idleTimeoutMs - contractSession.warningMs) / 3);
  expect(heartbeat).toBeLessThanOrEqual(60_000);
  return timing as unknown as SessionTiming;
}

/** A `{ user, session }` body for `username`, with the expected time left. */
async function expectSessionResponse(
  response: Response,
  status: number,
  username: string,
  expected: { idleExpiresInMs: number; absoluteExpiresInMs: number },
): Promise<SessionTiming> {
  const body = await expectJson(response, status);
  expect(Object.keys(body).sort()).toEqual(['session', 'user']);
  expect(body.user).toEqual({ username });
  expect(Object.keys(body.user as object)).toEqual(['username']);
  return expectTiming(body.session, expected);
}

async function expectHeartbeatResponse(
  response: Response,
  expected: { idleExpiresInMs: number; absoluteExpiresInMs: number },
) {
  const body = await expectJson(response, 200);
  expect(Object.keys(body)).toEqual(['session']);
  return expectTiming(body.session, expected);
}

/** Runs the contract against the targets `makeTarget` builds, one per test. */
export function describeSessionContract(name: string, makeTarget: MakeContractTarget): void {
  describe(`session API contract: ${name}`, () => {
    const targets: ContractTarget[] = [];
    afterEach(async () => {
      await Promise.all(targets.splice(0).map((target) => target.close()));
    });

    async function start(session: Partial<SessionConfig> = {}) {
      const target = await makeTarget({ session: { ...contractSession, ...session } });
      targets.push(target);
      return { target, browser: target.browser() };
    }

    async function startSignedIn(username = 'test') {
      const started = await start();
      const response = await started.browser.fetch('/api/session', post(signInBody(username)));
      expect(response.status).toBe(201);
      return started;
    }

    const sessionCookies = (browser: ContractBrowser) => browser.cookies().map(({ name, value }) => `${name}=${value}`);

    describe('POST /api/session (sign in)', () => {
      it('answers 201 {user, session} and sets an HttpOnly, SameSite=Strict session cookie that works on the next request', async () => {
        const { browser } = await start();
        const response = await browser.fetch('/api/session', post(signInBody('test')));
        await expectSessionResponse(response, 201, 'test', { idleExpiresInMs: idle, absoluteExpiresInMs: absolute });

        const [cookie, device, ...others] = browser.cookies();
        expect(others).toEqual([]);
        // The device token: HttpOnly, SameSite=Strict and 30 days long (decision 017).
        expect(device).toMatchObject({ name: 'did', path: '/', httpOnly: true, sameSite: 'Strict' });
        expect(device.expiresAt).toBeTypeOf('number'); // Max-Age: it outlives the browser session
        expect(cookie).toMatchObject({
          name: 'sid',
          path: '/',
          httpOnly: true,
          sameSite: 'Strict',
          expiresAt: undefined,
        });
        expect(cookie.value.length).toBeGreaterThanOrEqual(43); // 32 random bytes, base64url

        await expectSessionResponse(await browser.fetch('/api/session'), 200, 'test', {
          idleExpiresInMs: idle,
          absoluteExpiresInMs: absolute,
        });
        expect(await expectJson(await browser.fetch('/api/hello'), 200)).toEqual({ message: 'Hello World!' });
      });

      it('answers 401 invalid_credentials to a wrong password, the same for any username, and sets no cookie', async () => {
        const { browser } = await start();
        const wrong = await expectError(
          await browser.fetch('/api/session', post(signInBody('test', 'test'))),
          401,
          'invalid_credentials',
        );
        const other = await expectError(
          await browser.fetch('/api/session', post(signInBody('nobody', 'secret'))),
          401,
          'invalid_credentials',
        );
        expect(Object.keys(wrong).sort()).toEqual(['error', 'message']);
        expect(other).toEqual(wrong);
        expect(browser.cookies()).toEqual([]);
        await expectError(await browser.fetch('/api/session'), 401, 'unauthenticated');
      });

      it('answers 400 bad_request to a body that is not a valid sign-in, naming the field when there is one', async () => {
        const { browser } = await start();
        const missing = await expectError(
          await browser.fetch('/api/session', post(JSON.stringify({ username: 'test' }))),
          400,
          'bad_request',
        );
        expect(missing.field).toBe('password');
        const tooLong = 'x'.repeat(65);
        const long = await expectError(
          await browser.fetch('/api/session', post(signInBody(tooLong))),
          400,
          'bad_request',
        );
        expect(long.field).toBe('username');
        const control = await expectError(
          await browser.fetch('/api/session', post(signInBody('te\u0000st'))),
          400,
          'bad_request',
        );
        expect(control.field).toBe('username');
        const extra = JSON.stringify({ username: 'test', password: 'test_secret', admin: true });
        expect((await expectError(await browser.fetch('/api/session', post(extra)), 400, 'bad_request')).field).toBe(
          'admin',
        );
        for (const body of ['{"username": "test",', '[]', '"test"', 'null', '42']) {
          await expectError(await browser.fetch('/api/session', post(body)), 400, 'bad_request');
        }
        await expectError(
          await browser.fetch('/api/session', post(JSON.stringify({ username: 42, password: 'x' }))),
          400,
          'bad_request',
        );
        expect(browser.cookies()).toEqual([]);
      });

      it('answers 415 unsupported_media_type to a body that is not JSON', async () => {
        const { browser } = await start();
        await expectError(
          await browser.fetch('/api/session', post(signInBody(), { 'Content-Type': 'text/plain' })),
          415,
          'unsupported_media_type',
        );
        const form = 'username=test&password=test_secret';
        await expectError(
          await browser.fetch('/api/session', post(form, { 'Content-Type': 'application/x-www-form-urlencoded' })),
          415,
          'unsupported_media_type',
        );
        expect(browser.cookies()).toEqual([]);
      });

      it('answers 413 payload_too_large to a body over the limit', async () => {
        const { browser } = await start();
        const huge = JSON.stringify({ username: 'test', password: 'x'.repeat(8 * 1024) });
        await expectError(await browser.fetch('/api/session', post(huge)), 413, 'payload_too_large');
      });

      it('answers 429 rate_limited with Retry-After after repeated failures, even to the right password, until the window passes', async () => {
        const { target, browser } = await start();
        for (let attempt = 0; attempt < contractSession.maxFailuresPerUserAndClient; attempt++) {
          await expectError(
            await browser.fetch('/api/session', post(signInBody('test', 'wrong'))),
            401,
            'invalid_credentials',
          );
        }
        const limited = await browser.fetch('/api/session', post(signInBody('test')));
        const retryAfter = limited.headers.get('Retry-After');
        const body = await expectError(limited, 429, 'rate_limited');
        expect(retryAfter).toMatch(/^\d+$/);
        expect(Number(retryAfter)).toBeGreaterThan(0);
        expect(Number(retryAfter)).toBeLessThanOrEqual(contractSession.loginWindowMs / 1000);
        expect(body.retryAfterSeconds).toBe(Number(retryAfter));
        expect(browser.cookies()).toEqual([]);

        target.advance(Number(retryAfter) * 1000);
        await expectSessionResponse(await browser.fetch('/api/session', post(signInBody('test'))), 201, 'test', {
          idleExpiresInMs: idle,
          absoluteExpiresInMs: absolute,
        });
      });

      it('gives a new session at every sign-in and ends the one the browser had (no fixation)', async () => {
        const { browser } = await startSignedIn('alice');
        const first = sessionCookies(browser);
        await expectSessionResponse(await browser.fetch('/api/session', post(signInBody('bob'))), 201, 'bob', {
          idleExpiresInMs: idle,
          absoluteExpiresInMs: absolute,
        });
        expect(sessionCookies(browser)).not.toEqual(first);
        expect((await expectJson(await browser.fetch('/api/session'), 200)).user).toEqual({ username: 'bob' });

        browser.replaceCookies(first);
        await expectError(await browser.fetch('/api/session'), 401, 'unauthenticated');
      });

      it('accepts a same-origin request that says so, and refuses a cross-site one with 403, changing nothing', async () => {
        const { browser } = await start();
        const sameOrigin = { ...jsonHeaders, Origin: browser.origin, 'Sec-Fetch-Site': 'same-origin' };
        expect((await browser.fetch('/api/session', post(signInBody(), sameOrigin))).status).toBe(201);

        const evil = await browser.fetch('/api/session', {
          method: 'DELETE',
          headers: { Origin: 'https://evil.example' },
        });
        await expectError(evil, 403, 'cross_site_request');
        const crossSite = await browser.fetch('/api/session', {
          method: 'DELETE',
          headers: { 'Sec-Fetch-Site': 'cross-site' },
        });
        await expectError(crossSite, 403, 'cross_site_request');
        await expectJson(await browser.fetch('/api/session'), 200);
      });
    });

    describe('GET /api/session', () => {
      it('answers 200 {user, session} and does not extend the session: polling never keeps it alive', async () => {
        const { target, browser } = await startSignedIn();
        target.advance(20_000);
        await expectSessionResponse(await browser.fetch('/api/session'), 200, 'test', {
          idleExpiresInMs: idle - 20_000,
          absoluteExpiresInMs: absolute - 20_000,
        });
        target.advance(20_000);
        await expectSessionResponse(await browser.fetch('/api/session'), 200, 'test', {
          idleExpiresInMs: idle - 40_000,
          absoluteExpiresInMs: absolute - 40_000,
        });
        target.advance(20_000);
        await expectError(await browser.fetch('/api/session'), 401, 'unauthenticated');
      });

      it('answers 401 unauthenticated without a cookie', async () => {
        const { browser } = await start();
        await expectError(await browser.fetch('/api/session'), 401, 'unauthenticated');
      });
    });

    describe('POST /api/session/heartbeat', () => {
      it('answers 200 {session} and restarts the idle time, with an empty JSON body or with {}', async () => {
        const { target, browser } = await startSignedIn();
        target.advance(20_000);
        await expectHeartbeatResponse(await browser.fetch('/api/session/heartbeat', post(undefined)), {
          idleExpiresInMs: idle,
          absoluteExpiresInMs: absolute - 20_000,
        });
        target.advance(50_000);
        await expectSessionResponse(await browser.fetch('/api/session'), 200, 'test', {
          idleExpiresInMs: idle - 50_000,
          absoluteExpiresInMs: absolute - 70_000,
        });
        await expectHeartbeatResponse(await browser.fetch('/api/session/heartbeat', post('{}')), {
          idleExpiresInMs: idle,
          absoluteExpiresInMs: absolute - 70_000,
        });
        target.advance(59_999);
        await expectJson(await browser.fetch('/api/hello'), 200);
      });

      it('counts from the activity the client reports, clamped to [0, heartbeat interval]', async () => {
        const { target, browser } = await startSignedIn();
        target.advance(30_000);
        const reported = await expectHeartbeatResponse(
          await browser.fetch('/api/session/heartbeat', post('{"idleForMs":5000}')),
          {
            idleExpiresInMs: idle - 5_000,
            absoluteExpiresInMs: absolute - 30_000,
          },
        );
        const interval = reported.heartbeatIntervalMs;
        target.advance(30_000);
        await expectHeartbeatResponse(
          await browser.fetch('/api/session/heartbeat', post(JSON.stringify({ idleForMs: 10 * interval }))),
          {
            idleExpiresInMs: idle - interval,
            absoluteExpiresInMs: absolute - 60_000,
          },
        );
        target.advance(30_000);
        await expectHeartbeatResponse(await browser.fetch('/api/session/heartbeat', post('{"idleForMs":-60000}')), {
          idleExpiresInMs: idle,
          absoluteExpiresInMs: absolute - 90_000,
        });
      });

      it('answers 400 to a bad body and 415 to a body that is not JSON, without extending', async () => {
        const { target, browser } = await startSignedIn();
        target.advance(10_000);
        expect(
          (
            await expectError(
              await browser.fetch('/api/session/heartbeat', post('{"idleForMs":"soon"}')),
              400,
              'bad_request',
            )
          ).field,
        ).toBe('idleForMs');
        await expectError(await browser.fetch('/api/session/heartbeat', post('{"extend":true}')), 400, 'bad_request');
        await expectError(await browser.fetch('/api/session/heartbeat', post('not json')), 400, 'bad_request');
        await expectError(
          await browser.fetch('/api/session/heartbeat', post('{}', { 'Content-Type': 'text/plain' })),
          415,
          'unsupported_media_type',
        );
        // Even an empty heartbeat needs the JSON type: without it, another site's page could send
        // one with no CORS preflight.
        await expectError(
          await browser.fetch('/api/session/heartbeat', { method: 'POST' }),
          415,
          'unsupported_media_type',
        );
        await expectSessionResponse(await browser.fetch('/api/session'), 200, 'test', {
          idleExpiresInMs: idle - 10_000,
          absoluteExpiresInMs: absolute - 10_000,
        });
      });

      it('answers 401 unauthenticated without a session', async () => {
        const { browser } = await start();
        await expectError(await browser.fetch('/api/session/heartbeat', post('{}')), 401, 'unauthenticated');
      });
    });

    describe('expiry', () => {
      it('ends the session at the idle deadline: 200 one ms before, 401 at it, and a late heartbeat cannot revive it', async () => {
        const { target, browser } = await startSignedIn();
        target.advance(idle - 1);
        await expectSessionResponse(await browser.fetch('/api/session'), 200, 'test', {
          idleExpiresInMs: 1,
          absoluteExpiresInMs: absolute - idle + 1,
        });
        target.advance(1);
        await expectError(await browser.fetch('/api/session/heartbeat', post('{}')), 401, 'unauthenticated');
        await expectError(await browser.fetch('/api/hello'), 401, 'unauthenticated');
        await expectError(await browser.fetch('/api/session'), 401, 'unauthenticated');
      });

      it('ends the session at the absolute limit, however often heartbeats came', async () => {
        const { target, browser } = await startSignedIn();
        let elapsed = 0;
        while (elapsed + 10_000 < absolute) {
          target.advance(10_000);
          elapsed += 10_000;
          await expectHeartbeatResponse(await browser.fetch('/api/session/heartbeat', post('{}')), {
            idleExpiresInMs: idle,
            absoluteExpiresInMs: absolute - elapsed,
          });
        }
        target.advance(absolute - elapsed - 1);
        await expectJson(await browser.fetch('/api/hello'), 200);
        target.advance(1);
        await expectError(await browser.fetch('/api/session/heartbeat', post('{}')), 401, 'unauthenticated');
        await expectError(await browser.fetch('/api/session'), 401, 'unauthenticated');
      });
    });

    describe('DELETE /api/session (sign out)', () => {
      it('answers 204 with no body, clears the cookie, and the old cookie is useless afterwards (replay)', async () => {
        const { browser } = await startSignedIn();
        const stolen = sessionCookies(browser);
        const response = await browser.fetch('/api/session', { method: 'DELETE' });
        expect(response.status).toBe(204);
        expect(await response.text()).toBe('');
        expect(response.headers.get('Cache-Control')).toBe('no-store');
        expect(response.headers.get('Clear-Site-Data')).toBe('"storage"');
        // The device token stays: it is what lets this browser past other people's failures.
        expect(browser.cookies().map((cookie) => cookie.name)).toEqual(['did']);
        await expectError(await browser.fetch('/api/session'), 401, 'unauthenticated');

        browser.replaceCookies(stolen);
        await expectError(await browser.fetch('/api/session'), 401, 'unauthenticated');
        browser.replaceCookies(stolen);
        await expectError(await browser.fetch('/api/hello'), 401, 'unauthenticated');
        browser.replaceCookies(stolen);
        await expectError(await browser.fetch('/api/session/heartbeat', post('{}')), 401, 'unauthenticated');
      });

      it('is idempotent: 204 again, and 204 without any cookie', async () => {
        const { browser } = await startSignedIn();
        expect((await browser.fetch('/api/session', { method: 'DELETE' })).status).toBe(204);
        expect((await browser.fetch('/api/session', { method: 'DELETE' })).status).toBe(204);
        const { browser: stranger } = await start();
        expect((await stranger.fetch('/api/session', { method: 'DELETE' })).status).toBe(204);
      });
    });

    describe('GET /api/hello', () => {
      it('answers 200 Hello World! when signed in, and does not extend the session', async () => {
        const { target, browser } = await startSignedIn();
        target.advance(30_000);
        expect(await expectJson(await browser.fetch('/api/hello'), 200)).toEqual({ message: 'Hello World!' });
        await expectSessionResponse(await browser.fetch('/api/session'), 200, 'test', {
          idleExpiresInMs: idle - 30_000,
          absoluteExpiresInMs: absolute - 30_000,
        });
      });

      it('answers 401 unauthenticated without a session', async () => {
        const { browser } = await start();
        await expectError(await browser.fetch('/api/hello'), 401, 'unauthenticated');
      });
    });

    describe('GET /api/session/policy', () => {
      it('answers 200 with the limits, to anyone', async () => {
        const { browser } = await start();
        const body = await expectJson(await browser.fetch('/api/session/policy'), 200);
        expect(body).toEqual({
          idleTimeoutMs: contractSession.idleTimeoutMs,
          warningMs: contractSession.warningMs,
          absoluteTimeoutMs: contractSession.absoluteTimeoutMs,
        });
      });
    });

    describe('GET /api/health', () => {
      it('answers 200 {status: "ok"}', async () => {
        const { browser } = await start();
        expect(await expectJson(await browser.fetch('/api/health'), 200)).toEqual({ status: 'ok' });
      });
    });

    describe('the rest of /api', () => {
      it('answers 405 method_not_allowed with Allow to a method a path does not take', async () => {
        const { browser } = await start();
        const put = await browser.fetch('/api/session', { method: 'PUT', headers: jsonHeaders, body: '{}' });
        expect(put.headers.get('Allow')).toBe('GET, POST, DELETE');
        await expectError(put, 405, 'method_not_allowed');
        const get = await browser.fetch('/api/session/heartbeat');
        expect(get.headers.get('Allow')).toBe('POST');
        await expectError(get, 405, 'method_not_allowed');
        const post = await browser.fetch('/api/hello', { method: 'POST' });
        expect(post.headers.get('Allow')).toBe('GET');
        await expectError(post, 405, 'method_not_allowed');
      });

      it('answers 404 not_found as JSON to an unknown path', async () => {
        const { browser } = await start();
        await expectError(await browser.fetch('/api/nothing-here'), 404, 'not_found');
        await expectError(await browser.fetch('/api/session/extra/deep'), 404, 'not_found');
      });
    });
  });
}
