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
import { defaultSessionConfig, type SessionConfig } from '../../server/session/policy';
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

export const signInBody = (username = 'test', password = `${username}_secret`) =>
  JSON.stringify({ username, password });

export function post(body: string | undefined, headers: Record<string, string> = jsonHeaders): RequestInit {
  return { method: 'POST', headers, body };
}

/** Reads a JSON response, checking status, `Content-Type` and `Cache-Control: no-store`. */
export async function expectJson(response: Response, status: number): Promise<Record<string, unknown>> {
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

/**
 * An error answer: the status, `{ error, message, requestId }` and nothing else but the documented
 * extras; `requestId` is the one in `X-Request-Id`, so a user can quote what the logs have.
 */
export async function expectError(response: Response, status: number, code: ErrorCode): Promise<ApiError> {
  const body = await expectJson(response, status);
  expect(body.error).toBe(code);
  expect(body.message).toBeTypeOf('string');
  expect((body.message as string).length).toBeGreaterThan(0);
  expect(body.requestId).toBeTypeOf('string');
  expect(body.requestId).toBe(response.headers.get('X-Request-Id'));
  for (const key of Object.keys(body))
    expect(['error', 'message', 'field', 'retryAfterSeconds', 'current', 'requestId', 'line']).toContain(key);
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
  // The session's public id beside its timing (DELETE /api/session?id=, the sessions list).
  const { id, ...timing } = body.session as Record<string, unknown>;
  expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  return expectTiming(timing, expected);
}

async function expectHeartbeatResponse(
  response: Response,
  expected: { idleExpiresInMs: number; absoluteExpiresInMs: number },
) {
  const body = await expectJson(response, 200);
  expect(Object.keys(body)).toEqual(['session']);
  return expectTiming(body.session, expected);
}

/**
 * Inside a `describe`: starts targets with the contract's session settings (and `session` over
 * them), and closes every one after each test.
 */
export function useContractTargets(makeTarget: MakeContractTarget) {
  const targets: ContractTarget[] = [];
  afterEach(async () => {
    await Promise.all(targets.splice(0).map((target) => target.close()));
  });
  return async (session: Partial<SessionConfig> = {}): Promise<ContractTarget> => {
    const target = await makeTarget({ session: { ...contractSession, ...session } });
    targets.push(target);
    return target;
  };
}

/** Runs the contract against the targets `makeTarget` builds, one per test. */
export function describeSessionContract(name: string, makeTarget: MakeContractTarget): void {
  describe(`session API contract: ${name}`, () => {
    const startTarget = useContractTargets(makeTarget);

    async function start(session: Partial<SessionConfig> = {}) {
      const target = await startTarget(session);
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
        expect(Object.keys(wrong).sort()).toEqual(['error', 'message', 'requestId']);
        // The same answer but for the request's own id: nothing tells the two apart.
        expect({ ...other, requestId: undefined }).toEqual({ ...wrong, requestId: undefined });
        expect(other.requestId).not.toBe(wrong.requestId);
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

      it('counts from the activity the client reports, clamped to [0, idle timeout]', async () => {
        const { target, browser } = await startSignedIn();
        target.advance(30_000);
        const reported = await expectHeartbeatResponse(
          await browser.fetch('/api/session/heartbeat', post('{"idleForMs":5000}')),
          {
            idleExpiresInMs: idle - 5_000,
            absoluteExpiresInMs: absolute - 30_000,
          },
        );
        // Older than the heartbeat interval (a retry after an outage): dated when it happened.
        const interval = reported.heartbeatIntervalMs;
        target.advance(30_000);
        await expectHeartbeatResponse(
          await browser.fetch('/api/session/heartbeat', post(JSON.stringify({ idleForMs: 2 * interval }))),
          {
            idleExpiresInMs: idle - 2 * interval,
            absoluteExpiresInMs: absolute - 60_000,
          },
        );
        // Older than the idle timeout: counts as the idle timeout, so it changes nothing.
        target.advance(30_000);
        await expectHeartbeatResponse(
          await browser.fetch('/api/session/heartbeat', post(JSON.stringify({ idleForMs: 100 * idle }))),
          {
            idleExpiresInMs: idle - 2 * interval - 30_000,
            absoluteExpiresInMs: absolute - 90_000,
          },
        );
        // In the future: counts as now.
        target.advance(5_000);
        await expectHeartbeatResponse(await browser.fetch('/api/session/heartbeat', post('{"idleForMs":-60000}')), {
          idleExpiresInMs: idle,
          absoluteExpiresInMs: absolute - 95_000,
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

    describe('/api/sessions (your sessions)', () => {
      /** Two browsers signed in as the same user, `a` first, then `b`; and a third user's browser. */
      async function twoBrowsers() {
        const { target, browser: a } = await startSignedIn('alice');
        target.advance(1_000);
        const b = target.browser();
        expect((await b.fetch('/api/session', post(signInBody('alice')))).status).toBe(201);
        const other = target.browser();
        expect((await other.fetch('/api/session', post(signInBody('bob')))).status).toBe(201);
        const idOf = async (browser: ContractBrowser) =>
          ((await expectJson(await browser.fetch('/api/session'), 200)).session as { id: string }).id;
        return { target, a, b, other, ids: { a: await idOf(a), b: await idOf(b), other: await idOf(other) } };
      }
      const listOf = async (browser: ContractBrowser) =>
        (await expectJson(await browser.fetch('/api/sessions'), 200)).sessions as Array<Record<string, unknown>>;

      it('sign-in and GET /api/session give the public id, which is neither the cookie nor its hash', async () => {
        const { browser } = await start();
        const signedIn = await expectJson(await browser.fetch('/api/session', post(signInBody())), 201);
        const id = (signedIn.session as { id: string }).id;
        expect(id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
        expect(((await expectJson(await browser.fetch('/api/session'), 200)).session as { id: string }).id).toBe(id);
        expect(browser.cookies().map((cookie) => cookie.value)).not.toContain(id);
      });

      it('GET lists the live sessions of the user only, current first, and extends nothing', async () => {
        const { target, b, ids } = await twoBrowsers();
        target.advance(10_000);
        const sessions = await listOf(b);
        expect(sessions.map(({ id, current }) => ({ id, current }))).toEqual([
          { id: ids.b, current: true },
          { id: ids.a, current: false },
        ]);
        const [mine] = sessions;
        expect(mine.idleExpiresInMs).toBe(idle - 10_000);
        expect(mine.absoluteExpiresInMs).toBe(absolute - 10_000);
        expect(typeof mine.browser).toBe('string');
        expect(new Date(mine.signedInAt as string).toISOString()).toBe(mine.signedInAt);
        expect(mine.lastActiveAt).toBe(mine.signedInAt);
        // Reading again later: still counting down from the sign-in.
        target.advance(5_000);
        expect((await listOf(b))[0].idleExpiresInMs).toBe(idle - 15_000);
      });

      it('DELETE /api/sessions/:id ends that session: its browser gets 401 session_revoked, the list shrinks', async () => {
        const { a, b, ids } = await twoBrowsers();
        const response = await b.fetch(`/api/sessions/${ids.a}`, { method: 'DELETE' });
        expect(response.status).toBe(204);
        expect(await response.text()).toBe('');
        expect((await listOf(b)).map(({ id }) => id)).toEqual([ids.b]);
        await expectError(await a.fetch('/api/session/heartbeat', post('{}')), 401, 'session_revoked');
        // The 401 cleared its cookie: from then on, as any signed-out browser.
        await expectError(await a.fetch('/api/session'), 401, 'unauthenticated');
      });

      it("DELETE /api/sessions/:id answers 404 to another user's, an unknown or a malformed id, changing nothing", async () => {
        const { a, other, ids } = await twoBrowsers();
        for (const id of [ids.other, 'AAAAAAAAAAAAAAAAAAAAAA', 'nope', 'x'.repeat(200), '%00']) {
          await expectError(await a.fetch(`/api/sessions/${id}`, { method: 'DELETE' }), 404, 'not_found');
        }
        expect((await other.fetch('/api/session')).status).toBe(200);
        expect(await listOf(a)).toHaveLength(2);
      });

      it('DELETE /api/sessions?keep=current ends every other session of the user, and only those', async () => {
        const { a, b, other, ids } = await twoBrowsers();
        expect((await b.fetch('/api/sessions?keep=current', { method: 'DELETE' })).status).toBe(204);
        expect((await listOf(b)).map(({ id }) => id)).toEqual([ids.b]);
        await expectError(await a.fetch('/api/session'), 401, 'session_revoked');
        expect((await other.fetch('/api/session')).status).toBe(200);
        expect((await b.fetch('/api/sessions?keep=current', { method: 'DELETE' })).status).toBe(204);
      });

      it('DELETE /api/sessions without ?keep=current answers 400, changing nothing', async () => {
        const { a, b } = await twoBrowsers();
        for (const query of ['', '?keep=all', '?keep=']) {
          await expectError(await b.fetch(`/api/sessions${query}`, { method: 'DELETE' }), 400, 'bad_request');
        }
        expect((await a.fetch('/api/session')).status).toBe(200);
      });

      it('answers 401 without a session, and 403 to a cross-site DELETE, changing nothing', async () => {
        const { browser: stranger } = await start();
        await expectError(await stranger.fetch('/api/sessions'), 401, 'unauthenticated');
        await expectError(
          await stranger.fetch('/api/sessions?keep=current', { method: 'DELETE' }),
          401,
          'unauthenticated',
        );
        const { a, b, ids } = await twoBrowsers();
        const crossSite = { method: 'DELETE', headers: { 'Sec-Fetch-Site': 'cross-site' } };
        await expectError(await b.fetch(`/api/sessions/${ids.a}`, crossSite), 403, 'cross_site_request');
        await expectError(await b.fetch('/api/sessions?keep=current', crossSite), 403, 'cross_site_request');
        expect((await a.fetch('/api/session')).status).toBe(200);
      });

      it('DELETE /api/session?id= ends the session only when the id is its own (a stale automatic sign-out)', async () => {
        const { browser } = await start();
        const first = await expectJson(await browser.fetch('/api/session', post(signInBody())), 201);
        const staleId = (first.session as { id: string }).id;
        // Signed in again (another tab): the cookie is now a new session's.
        expect((await browser.fetch('/api/session', post(signInBody()))).status).toBe(201);
        const stale = await browser.fetch(`/api/session?id=${staleId}`, { method: 'DELETE' });
        expect(stale.status).toBe(204);
        expect(stale.headers.get('Clear-Site-Data')).toBeNull();
        const current = await expectJson(await browser.fetch('/api/session'), 200);
        const currentId = (current.session as { id: string }).id;
        const own = await browser.fetch(`/api/session?id=${currentId}`, { method: 'DELETE' });
        expect(own.status).toBe(204);
        // Ended, but the answer leaves the cookie and the storage alone: it may arrive after another
        // tab's sign-in set a new cookie (decision 031). The cookie left names nothing.
        expect(own.headers.get('Set-Cookie')).toBeNull();
        expect(own.headers.get('Clear-Site-Data')).toBeNull();
        await expectError(await browser.fetch('/api/session'), 401, 'unauthenticated');
        // The user's own Sign out (no id) still clears the cookie.
        expect((await browser.fetch('/api/session', { method: 'DELETE' })).status).toBe(204);
        expect(browser.cookies().map((cookie) => cookie.name)).toEqual(['did']);
      });
    });

    describe('recent sign-in (POST /api/session/reauth) and forgetting devices (DELETE /api/devices)', () => {
      const window = 20_000;
      /** Alice on two browsers, signed in `window` ago: too long for ending sessions or forgetting devices. */
      async function notRecent() {
        const { target, browser: a } = await start({ reauthWindowMs: window });
        expect((await a.fetch('/api/session', post(signInBody('alice')))).status).toBe(201);
        const b = target.browser();
        expect((await b.fetch('/api/session', post(signInBody('alice')))).status).toBe(201);
        const bId = ((await expectJson(await b.fetch('/api/session'), 200)).session as { id: string }).id;
        target.advance(window);
        return { target, a, b, bId };
      }
      const reauth = (browser: ContractBrowser, password: string) =>
        browser.fetch('/api/session/reauth', post(JSON.stringify({ password })));

      it('answers 401 reauth_required to ending sessions or forgetting devices, changing nothing, cookie kept', async () => {
        const { a, b, bId } = await notRecent();
        for (const path of [`/api/sessions/${bId}`, '/api/sessions?keep=current', '/api/devices?keep=current']) {
          const response = await a.fetch(path, { method: 'DELETE' });
          await expectError(response, 401, 'reauth_required');
        }
        expect((await a.fetch('/api/session')).status).toBe(200);
        expect((await b.fetch('/api/session')).status).toBe(200);
      });

      it('answers 204 to the right password, and then the session may end others for the window', async () => {
        const { target, a, b, bId } = await notRecent();
        const response = await reauth(a, 'alice_secret');
        expect(response.status).toBe(204);
        expect(await response.text()).toBe('');
        target.advance(window - 1);
        expect((await a.fetch(`/api/sessions/${bId}`, { method: 'DELETE' })).status).toBe(204);
        await expectError(await b.fetch('/api/session'), 401, 'session_revoked');
        expect((await a.fetch('/api/devices?keep=current', { method: 'DELETE' })).status).toBe(204);
        target.advance(1);
        await expectError(await a.fetch('/api/devices?keep=current', { method: 'DELETE' }), 401, 'reauth_required');
      });

      it('answers 401 invalid_credentials to a wrong password (the session stays), 429 after five', async () => {
        const { a } = await notRecent();
        for (let i = 0; i < 5; i++) await expectError(await reauth(a, `guess-${i}`), 401, 'invalid_credentials');
        const limited = await reauth(a, 'alice_secret');
        const body = await expectError(limited, 429, 'rate_limited');
        expect(body.retryAfterSeconds).toBeGreaterThan(0);
        expect(limited.headers.get('Retry-After')).toBe(String(body.retryAfterSeconds));
        expect((await a.fetch('/api/session')).status).toBe(200);
      });

      it('answers 400 naming password to a bad body, 401 without a session', async () => {
        const { a } = await notRecent();
        for (const body of ['{}', '{"password":""}', '{"password":1}', '{"password":"x","extra":1}']) {
          await expectError(await a.fetch('/api/session/reauth', post(body)), 400, 'bad_request');
        }
        const { browser: stranger } = await start();
        await expectError(await reauth(stranger, 'test_secret'), 401, 'unauthenticated');
        await expectError(
          await stranger.fetch('/api/devices?keep=current', { method: 'DELETE' }),
          401,
          'unauthenticated',
        );
      });

      it('answers 400 to DELETE /api/devices without ?keep=current, and 405 to other methods', async () => {
        const { a } = await notRecent();
        await expectError(await a.fetch('/api/devices', { method: 'DELETE' }), 400, 'bad_request');
        const get = await a.fetch('/api/devices');
        expect(get.headers.get('Allow')).toBe('DELETE');
        await expectError(get, 405, 'method_not_allowed');
        const getReauth = await a.fetch('/api/session/reauth');
        expect(getReauth.headers.get('Allow')).toBe('POST');
        await expectError(getReauth, 405, 'method_not_allowed');
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
          draftRetentionMs: contractSession.draftRetentionMs,
          frameOrigins: [],
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
        const putList = await browser.fetch('/api/sessions', { method: 'PUT' });
        expect(putList.headers.get('Allow')).toBe('GET, DELETE');
        await expectError(putList, 405, 'method_not_allowed');
        const getOne = await browser.fetch('/api/sessions/AAAAAAAAAAAAAAAAAAAAAA');
        expect(getOne.headers.get('Allow')).toBe('DELETE');
        await expectError(getOne, 405, 'method_not_allowed');
      });

      it('answers 404 not_found as JSON to an unknown path', async () => {
        const { browser } = await start();
        await expectError(await browser.fetch('/api/nothing-here'), 404, 'not_found');
        await expectError(await browser.fetch('/api/session/extra/deep'), 404, 'not_found');
      });
    });
  });
}
