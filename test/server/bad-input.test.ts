/**
 * Invariant 6 ([docs/design.md#invariants](../../docs/design.md#invariants)): bad input gets a clear 4xx and changes nothing (no cookie, the session as it was,
 * no store write); no request the server can receive gives a 5xx.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../server/stores/memory';
import { createSqliteStore } from '../../server/stores/sqlite';
import type { Store } from '../../server/stores/store';
import { cookieFrom, type TestApp } from '../support/test-server';
import {
  apiClient,
  expectError,
  json,
  logEntries,
  rawRequest,
  rawSocket,
  recordingStore,
  sessionBody,
  sessionIdOf,
  useTestApps,
  type ServerTestOptions,
} from './helpers';

const { inProcess, overHttp } = useTestApps();

/**
 * The app (from `start`) with `test` signed in 10 s ago and a store that records writes from now
 * on. `expectNothingChanged` checks that the session is as it was and nothing was written.
 */
async function signedIn<App extends TestApp>(
  start: (options: ServerTestOptions) => Promise<App>,
  store: Store = createMemoryStore(),
) {
  const recording = recordingStore(store);
  const server = await start({ store: recording });
  const api = apiClient(server);
  const cookie = cookieFrom(await api.signIn());
  server.clock.advance(10_000);
  recording.writes.length = 0;
  return {
    server,
    api,
    cookie,
    async expectNothingChanged(response?: Response) {
      if (response) expect(response.headers.get('Set-Cookie')).toBeNull();
      expect(recording.writes).toEqual([]);
      expect((await sessionBody(await api.getSession(cookie))).session.idleExpiresInMs).toBe(50_000);
      expect(recording.writes).toEqual([]);
    },
  };
}

/** In-process: where no socket matters. */
const signedInApp = (store?: Store) => signedIn(inProcess, store);
/** Over real HTTP: for body limits and connection headers. */
const signedInServer = (store?: Store) => signedIn(overHttp, store);

const tooLong = 'a'.repeat(65);

describe('sign-in with a bad body', () => {
  it.each<[string, string, string?]>([
    ['malformed JSON', '{"username": "test", '],
    ['an empty body', ''],
    ['a JSON array', '["test", "test_secret"]'],
    ['a JSON string', '"test"'],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
    ['an empty object', '{}'],
    ['no password', '{"username":"test"}', 'password'],
    ['no username', '{"password":"test_secret"}', 'username'],
    ['a number as username', '{"username":42,"password":"42_secret"}', 'username'],
    ['null as username', '{"username":null,"password":"null_secret"}', 'username'],
    ['an object as username', '{"username":{"toString":"test"},"password":"test_secret"}', 'username'],
    ['an array as password', '{"username":"test","password":["test_secret"]}', 'password'],
    [
      'an empty username (even with the matching password "_secret")',
      '{"username":"","password":"_secret"}',
      'username',
    ],
    ['an empty password', '{"username":"test","password":""}', 'password'],
    ['a 65-character username', JSON.stringify({ username: tooLong, password: `${tooLong}_secret` }), 'username'],
    ['a NUL in the username', JSON.stringify({ username: 'te\u0000st', password: 'te\u0000st_secret' }), 'username'],
    ['a newline in the username', JSON.stringify({ username: 'te\nst', password: 'te\nst_secret' }), 'username'],
    ['a DEL in the username', JSON.stringify({ username: 'te\u007fst', password: 'te\u007fst_secret' }), 'username'],
    [
      'a C1 control (NEL) in the username',
      JSON.stringify({ username: 'te\u0085st', password: 'te\u0085st_secret' }),
      'username',
    ],
    ...[
      ['a lone surrogate', 'ab\ud800'],
      ['a right-to-left override', 'a\u202eb'],
      ['a zero-width space', 'a\u200bb'],
      ['a line separator', 'a\u2028b'],
      ['a paragraph separator', 'a\u2029b'],
      ['a leading space', ' alice'],
      ['a trailing space', 'alice '],
      ['only spaces', '   '],
    ].map(([what, username]): [string, string, string] => [
      `${what} in the username`,
      // JSON.stringify writes a lone surrogate as the escape \ud800: the bytes are valid UTF-8.
      JSON.stringify({ username, password: `${username}_secret` }),
      'username',
    ]),
    ['a lone surrogate in the password', JSON.stringify({ username: 'ab', password: 'ab_secret\udfff' }), 'password'],
    ['a "__proto__" key', '{"__proto__":{"isAdmin":true},"username":"test","password":"test_secret"}', '__proto__'],
    [
      'a "constructor" key',
      '{"constructor":{"prototype":{"isAdmin":true}},"username":"test","password":"test_secret"}',
      'constructor',
    ],
    ['an extra unknown field', '{"username":"test","password":"test_secret","rememberMe":true}', 'rememberMe'],
  ])('answers 400 to %s and changes nothing', async (_name, body, field) => {
    const { api, cookie, expectNothingChanged } = await signedInApp();

    const response = await api.signInRaw(body, { cookie });

    const error = await expectError(response, 400, 'bad_request');
    if (field !== undefined) expect(error.field).toBe(field);
    await expectNothingChanged(response);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('accepts a 64-character username', async () => {
    const server = await inProcess();
    const username = 'a'.repeat(64);

    const response = await apiClient(server).signIn(username);

    expect((await sessionBody(response, 201)).user).toEqual({ username });
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form-urlencoded', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['a JSON look-alike type', 'application/jsonp'],
  ])('answers 415 to a %s body and changes nothing', async (_name, contentType) => {
    const { api, cookie, expectNothingChanged } = await signedInApp();

    const response = await api.signInRaw('{"username":"test","password":"test_secret"}', {
      cookie,
      headers: { 'Content-Type': contentType },
    });

    await expectError(response, 415, 'unsupported_media_type');
    await expectNothingChanged(response);
  });

  it('answers 415 to a body without a Content-Type', async () => {
    const { api, cookie, expectNothingChanged } = await signedInApp();

    const response = await api.call('/api/session', {
      method: 'POST',
      cookie,
      body: new Blob(['{"username":"test","password":"test_secret"}']),
    });

    await expectError(response, 415, 'unsupported_media_type');
    await expectNothingChanged(response);
  });

  it('answers 413 to a 1 MB body and changes nothing', async () => {
    const { server, cookie, expectNothingChanged } = await signedInServer();

    const response = await rawRequest(server.url, {
      method: 'POST',
      path: '/api/session',
      headers: { ...json, Cookie: cookie },
      body: JSON.stringify({ username: 'test', password: 'p'.repeat(1024 * 1024) }),
    });

    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({
      error: 'payload_too_large',
      message: expect.stringMatching(/\S/),
    });
    expect(response.headers['set-cookie']).toBeUndefined();
    await expectNothingChanged();
  });

  it('closes the connection after a 413, so the client does not reuse one with a half-read body', async () => {
    const { server, api, cookie, expectNothingChanged } = await signedInServer();

    const response = await server.fetch('/api/session', {
      method: 'POST',
      headers: { ...json, Cookie: cookie, Origin: server.origin },
      body: JSON.stringify({ username: 'test', password: 'p'.repeat(1024 * 1024) }),
    });

    await expectError(response, 413, 'payload_too_large');
    expect(response.headers.get('Connection')).toBe('close');
    await expectNothingChanged(response);
    expect((await api.hello(cookie)).status).toBe(200);
  });

  it('answers 413 to a 1 MB body sent without a Content-Length (chunked)', async () => {
    const { server, cookie, expectNothingChanged } = await signedInServer();

    const response = await rawRequest(server.url, {
      method: 'POST',
      path: '/api/session',
      headers: { ...json, Cookie: cookie, 'Transfer-Encoding': 'chunked' },
      body: JSON.stringify({ username: 'test', password: 'p'.repeat(1024 * 1024) }),
    });

    expect(response.status).toBe(413);
    await expectNothingChanged();
  });
});

describe('heartbeat with a bad body', () => {
  it.each<[string, string]>([
    ['idleForMs as a string', '{"idleForMs":"5000"}'],
    ['idleForMs as Infinity (1e999)', '{"idleForMs":1e999}'],
    ['idleForMs as an object', '{"idleForMs":{"valueOf":5000}}'],
    ['idleForMs as null', '{"idleForMs":null}'],
    ['idleForMs as a boolean', '{"idleForMs":true}'],
    ['an extra unknown field', '{"idleForMs":0,"extendBy":3600000}'],
    ['a JSON array', '[0]'],
    ['JSON null', 'null'],
    ['malformed JSON', '{"idleForMs":'],
    ['hold as a number', '{"idleForMs":0,"hold":1}'],
    ['hold as null', '{"idleForMs":0,"hold":null}'],
    ['hold as an empty string', '{"idleForMs":0,"hold":""}'],
    ['hold longer than 40 characters', JSON.stringify({ idleForMs: 0, hold: 'x'.repeat(41) })],
    ['hold with a line break', '{"idleForMs":0,"hold":"import\\n{\\"event\\":\\"forged\\"}"}'],
    ['hold with a quote', '{"idleForMs":0,"hold":"im\\"port"}'],
  ])('answers 400 to %s and does not extend the session', async (_name, body) => {
    const { api, cookie, expectNothingChanged } = await signedInApp();

    const response = await api.heartbeat(cookie, body);

    await expectError(response, 400, 'bad_request');
    await expectNothingChanged(response);
  });

  it('answers 415 to an empty heartbeat without Content-Type (no CORS preflight for such a request) and does not extend the session', async () => {
    const { api, cookie, expectNothingChanged } = await signedInApp();

    const response = await api.call('/api/session/heartbeat', { method: 'POST', cookie });

    await expectError(response, 415, 'unsupported_media_type');
    await expectNothingChanged(response);
  });

  it('answers 415 to a text/plain body and does not extend the session', async () => {
    const { api, cookie, expectNothingChanged } = await signedInApp();

    const response = await api.heartbeat(cookie, '{}', { 'Content-Type': 'text/plain' });

    await expectError(response, 415, 'unsupported_media_type');
    await expectNothingChanged(response);
  });

  it('answers 413 to a 1 MB body and does not extend the session', async () => {
    const { server, cookie, expectNothingChanged } = await signedInServer();

    const response = await rawRequest(server.url, {
      method: 'POST',
      path: '/api/session/heartbeat',
      headers: { ...json, Cookie: cookie },
      body: JSON.stringify({ idleForMs: 0, padding: ' '.repeat(1024 * 1024) }),
    });

    expect(response.status).toBe(413);
    await expectNothingChanged();
  });

  it('accepts a fractional idleForMs, also with the SQLite store (whole milliseconds are stored)', async () => {
    const { server, api, cookie } = await signedInApp(createSqliteStore(':memory:'));

    const response = await api.heartbeat(cookie, { idleForMs: 1.5 });

    // Activity 1.5 ms ago counts as 2 ms ago: never later than the client said.
    expect((await sessionBody(response)).session.idleExpiresInMs).toBe(59_998);
    expect(server.logs.join('\n')).not.toContain('unhandled_error');
  });
});

describe('re-entering the password (recent sign-in) with a bad body', () => {
  it.each<[string, string, string?]>([
    ['no password', '{}', 'password'],
    ['an empty password', '{"password":""}', 'password'],
    ['a password that is not a string', '{"password":1}', 'password'],
    ['a password with a lone surrogate', '{"password":"\\ud800"}', 'password'],
    ['a 1025-character password', `{"password":"${'a'.repeat(1025)}"}`, 'password'],
    ['an extra unknown field', '{"password":"test_secret","username":"admin"}', 'username'],
    ['a JSON array', '["test_secret"]'],
    ['malformed JSON', '{"password":'],
  ])('answers 400 to %s, counts no failure and changes nothing', async (_name, body, field) => {
    const { api, cookie, expectNothingChanged } = await signedInApp();

    const response = await api.call('/api/session/reauth', { method: 'POST', cookie, headers: json, body });

    const error = await expectError(response, 400, 'bad_request');
    expect(error.field).toBe(field);
    await expectNothingChanged(response);
  });

  it('answers 415 to a text/plain body and changes nothing', async () => {
    const { api, cookie, expectNothingChanged } = await signedInApp();

    const response = await api.call('/api/session/reauth', {
      method: 'POST',
      cookie,
      headers: { 'Content-Type': 'text/plain' },
      body: '{"password":"test_secret"}',
    });

    await expectError(response, 415, 'unsupported_media_type');
    await expectNothingChanged(response);
  });
});

describe('forgetting devices without saying which', () => {
  it.each(['/api/devices', '/api/devices?keep=all', '/api/devices?keep=Current'])(
    'DELETE %s answers 400 naming keep and forgets nothing',
    async (path) => {
      const { api, cookie, expectNothingChanged } = await signedInApp();

      const response = await api.call(path, { method: 'DELETE', cookie });

      expect((await expectError(response, 400, 'bad_request')).field).toBe('keep');
      await expectNothingChanged(response);
    },
  );
});

describe('a note that is not well-formed Unicode', () => {
  it.each<[string, string, string, string]>([
    ['a new note’s title', 'POST', '/api/notes', `{"title":"${'\\ud800'.repeat(200)}","text":""}`],
    ['a new note’s text', 'POST', '/api/notes', '{"title":"t","text":"a\\udc00b"}'],
    ['a draft’s title', 'PUT', '/api/draft', '{"noteId":null,"baseRevision":null,"title":"\\udbff","text":""}'],
    ['a draft’s text', 'PUT', '/api/draft', '{"noteId":null,"baseRevision":null,"title":"","text":"\\ud83d"}'],
  ])(
    'answers 400 to %s with a lone surrogate, naming the field, and stores nothing',
    async (what, method, path, body) => {
      const { api, cookie } = await signedInApp();

      const response = await api.call(path, { method, cookie, headers: json, body });

      const error = await expectError(response, 400, 'bad_request');
      expect(error.field).toBe(what.endsWith('title') ? 'title' : 'text');
      expect(error.message).toMatch(/valid Unicode/);
      const listed = (await (await api.call('/api/notes', { cookie })).json()) as { notes: unknown[] };
      expect(listed.notes).toEqual([]);
      expect(((await (await api.call('/api/draft', { cookie })).json()) as { draft: unknown }).draft).toBeNull();
    },
  );

  it('answers 400 to a saved note changed to a lone surrogate, and keeps the note as it was', async () => {
    const { api, cookie } = await signedInApp();
    const created = await api.call('/api/notes', {
      method: 'POST',
      cookie,
      headers: json,
      body: '{"title":"t","text":"x"}',
    });
    const { note } = (await created.json()) as { note: { id: string } };

    const response = await api.call(`/api/notes/${note.id}`, {
      method: 'PUT',
      cookie,
      headers: json,
      body: '{"title":"\\ud800","text":"x","baseRevision":1}',
    });

    expect((await expectError(response, 400, 'bad_request')).field).toBe('title');
    expect(await (await api.call(`/api/notes/${note.id}`, { cookie })).json()).toMatchObject({
      note: { title: 't', revision: 1 },
    });
  });
});

describe('an import of notes that is not a notes file', () => {
  it.each<[string, string, BodyInit, number, string]>([
    ['a JSON body', 'application/json', '{"title":"t","text":"x"}', 415, 'unsupported_media_type'],
    ['no Content-Type', '', new TextEncoder().encode('# A\n'), 415, 'unsupported_media_type'],
    ['an empty file', 'text/plain', '', 422, 'invalid_import'],
    [
      'a binary file',
      'text/plain',
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff]),
      422,
      'invalid_import',
    ],
    ['a NUL-only file', 'text/markdown', '\u0000', 422, 'invalid_import'],
    ['a heading with only spaces', 'text/markdown', '#    \n', 422, 'invalid_import'],
  ])('answers %s with a clear 4xx, never a 5xx, and stores nothing', async (_name, type, body, status, error) => {
    const { api, cookie, server } = await signedInApp();

    const response = await api.call('/api/notes/import', {
      method: 'POST',
      cookie,
      headers: type ? { 'Content-Type': type } : {},
      body,
    });

    await expectError(response, status, error as 'bad_request');
    const listed = (await (await api.call('/api/notes', { cookie })).json()) as { notes: unknown[] };
    expect(listed.notes).toEqual([]);
    expect(server.logs.join('\n')).not.toContain('unhandled_error');
  });
});

describe('a wrong method', () => {
  it.each([
    ['GET', '/api/notes/import', 'POST'],
    ['PUT', '/api/notes/import', 'POST'],
    ['PUT', '/api/session', 'GET, POST, DELETE'],
    ['PATCH', '/api/session', 'GET, POST, DELETE'],
    ['POST', '/api/hello', 'GET'],
    ['DELETE', '/api/hello', 'GET'],
    ['GET', '/api/session/heartbeat', 'POST'],
    ['DELETE', '/api/session/heartbeat', 'POST'],
    ['POST', '/api/health', 'GET'],
    ['GET', '/api/session/reauth', 'POST'],
    ['DELETE', '/api/session/reauth', 'POST'],
    ['GET', '/api/devices', 'DELETE'],
    ['POST', '/api/devices', 'DELETE'],
  ])('%s %s answers 405 with Allow: %s', async (method, path, allow) => {
    const { api, cookie, expectNothingChanged } = await signedInApp();

    const response = await api.call(path, { method, cookie });

    await expectError(response, 405, 'method_not_allowed');
    expect(response.headers.get('Allow')).toBe(allow);
    await expectNothingChanged(response);
  });
});

describe('an unknown path under /api', () => {
  it.each([
    '/api/nope',
    '/api/sessionz',
    '/api/sessions/a/b',
    '/api/session/heartbeat/extra',
    '/api/hello/',
    '/api',
    '/api/%',
    '/api/%00',
  ])('%s answers 404 JSON', async (path) => {
    const server = await inProcess();

    const response = await apiClient(server).call(path);

    await expectError(response, 404, 'not_found');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });
});

describe('a malformed Cookie header', () => {
  it.each([
    ['garbage', 'sid=garbage'],
    ['one character short', `sid=${'a'.repeat(42)}`],
    ['one character long', `sid=${'a'.repeat(44)}`],
    ['the right length but not base64url', `sid=${'!'.repeat(43)}`],
    ['percent garbage', 'sid=%E0%A4%A'],
    ['a percent-encoded NUL', 'sid=%00'],
    ['no value', 'sid='],
    ['no equals sign', 'sid'],
    ['only separators', ';;==;'],
    ['an unterminated quote', 'sid="abc'],
    ['a very long value', `sid=${'a'.repeat(6000)}`],
    ['a well-formed id that was never issued', `sid=${'A'.repeat(43)}`],
  ])('with %s answers 401, never 5xx', async (_name, cookie) => {
    const server = await inProcess();
    const api = apiClient(server);

    await expectError(await api.getSession(cookie), 401, 'unauthenticated');
    await expectError(await api.hello(cookie), 401, 'unauthenticated');
    await expectError(await api.heartbeat(cookie), 401, 'unauthenticated');
    expect((await api.signOut(cookie)).status).toBe(204);
  });

  it('with raw non-ASCII bytes answers 401', async () => {
    const server = await overHttp();

    const status = await rawSocket(
      server.url,
      `GET /api/session HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\nCookie: sid=\xff\xfe\x80\r\nConnection: close\r\n\r\n`,
    );

    expect(status).toBe(401);
  });

  it('does not stop a valid session cookie sent with other, broken cookies from working', async () => {
    const server = await inProcess();
    const api = apiClient(server);
    const cookie = cookieFrom(await api.signIn());

    expect((await api.getSession(`theme=%E0%A4%A; ${cookie}; junk`)).status).toBe(200);
  });
});

describe('no request gives a 5xx', () => {
  const paths = [
    '/api/session',
    '/api/session/heartbeat',
    '/api/hello',
    '/api/health',
    '/api/notes',
    `/api/notes/${'f'.repeat(32)}`,
    '/api/notes/%E0%A4%A',
    '/api/notes/__proto__',
    '/api/notes/import',
    '/api/draft',
    '/api/draft?session=',
    '/api/draft?session=%E0%A4%A&updatedAt=1e400',
    '/api/draft?session=__proto__&updatedAt=99999999999999999',
    '/api/draft?session=x&session=y&updatedAt=1&updatedAt=2',
    '/api/session/reauth',
    '/api/devices',
    '/api/devices?keep=current',
    '/api/devices?keep=%E0%A4%A',
    '/api/nope',
    '/api/session?next=%E0%A4%A&x',
    '/api/%E0%A4%A',
    '/api/..%2f..%2fpackage.json',
    '/',
    '/login',
    '/%2e%2e/package.json',
  ];
  // DELETE last: it signs the session out, and the other requests should meet a live session.
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'OPTIONS', 'PROPFIND', 'DELETE'];
  const bodies: Array<[string | undefined, string]> = [
    [undefined, ''],
    ['application/json', ''],
    ['application/json', '{'],
    ['application/json', 'null'],
    ['application/json', '[]'],
    ['application/json', '{"username":"\\u0000","password":1}'],
    ['application/json', '{"username":"\\ud800","password":"\\ud800"}'],
    ['application/json', '{"password":"\\ud800"}'],
    ['application/json', '{"password":"test_secret"}'],
    ['application/json', '{"password":["test_secret"]}'],
    ['application/json', '{"idleForMs":-1e308}'],
    ['application/json', '{"idleForMs":0.5}'],
    ['application/json', '{"title":"\\ud800","text":"\\u0000","baseRevision":1e308}'],
    ['application/json', '{"noteId":"__proto__","baseRevision":1,"title":"","text":""}'],
    ['application/json', '{"noteId":null,"baseRevision":null,"title":"t","text":"x"}'],
    ['application/json', '{"noteId":null,"baseRevision":null,"title":"t","text":"x","sessionId":"__proto__"}'],
    ['application/json', '{"noteId":null,"baseRevision":null,"title":"t","text":"x","sessionId":{"length":22}}'],
    ['application/json', '{"noteId":null,"baseRevision":null,"title":"t","text":"x","updatedAt":1,"sessionId":""}'],
    ['application/json', `{"a":${'['.repeat(1500)}${']'.repeat(1500)}}`],
    ['application/json; charset=utf-16', '\u0000{\u0000}'],
    ['text/plain', 'hello'],
  ];
  const headerSets: Array<Record<string, string>> = [
    {},
    { Origin: '' },
    { Origin: 'null' },
    { 'Sec-Fetch-Site': 'nonsense' },
    { Cookie: 'sid=%' },
    { 'X-Forwarded-Proto': 'https', Cookie: '__Host-sid=%E0%A4%A' },
    { 'X-Forwarded-Proto': 'gopher, https' },
    { 'Content-Encoding': 'gzip' },
    { Accept: 'text/html' },
    { 'X-Test-Client': '' },
    { 'X-Forwarded-For': '[2001:db8::1]:443, 198.18.0.8:1, [::1' },
    { Cookie: 'did=%E0%A4%A; sid=' },
  ];

  /** Sends each request in turn, 1 ms apart on the test clock (so heartbeats really move the activity). */
  async function expectNo5xx(server: TestApp, requests: Array<{ path: string; init: RequestInit }>) {
    const failures: string[] = [];
    for (const { path, init } of requests) {
      server.clock.advance(1);
      const response = await server.fetch(path, init);
      await response.arrayBuffer();
      if (response.status >= 500)
        failures.push(`${init.method} ${path} ${JSON.stringify(init.headers)} -> ${response.status}`);
    }
    expect(failures).toEqual([]);
  }

  describe.each([
    ['the memory store', () => createMemoryStore()],
    ['the SQLite store', () => createSqliteStore(':memory:')],
  ])('with %s', (_name, createStore) => {
    it('for any method, path and body', async () => {
      const server = await inProcess({ store: createStore() });
      const cookie = cookieFrom(await apiClient(server).signIn());
      // A note of the user's own, so its path meets every method and body too.
      const created = await apiClient(server).call('/api/notes', {
        method: 'POST',
        headers: { Cookie: cookie, 'Content-Type': 'application/json' },
        body: '{"title":"mine","text":"x"}',
      });
      const ownNote = `/api/notes/${((await created.json()) as { note: { id: string } }).note.id}`;
      const requests = methods.flatMap((method) =>
        [...paths, ownNote].flatMap((path) =>
          bodies
            .filter(([, body]) => body === '' || !['GET', 'HEAD'].includes(method))
            .map(([contentType, body]) => ({
              path,
              init: {
                method,
                headers: { Cookie: cookie, ...(contentType ? { 'Content-Type': contentType } : {}) },
                body: body === '' ? undefined : body,
              },
            })),
        ),
      );

      await expectNo5xx(server, requests);
      expect(requests.length).toBeGreaterThan(500);
      expect(logEntries(server.logs).filter((entry) => entry.level === 'error')).toEqual([]);
    });

    it('for any odd header', async () => {
      const server = await inProcess({ store: createStore() });
      const cookie = cookieFrom(await apiClient(server).signIn());
      const requests = ['GET', 'POST', 'DELETE'].flatMap((method) =>
        paths.flatMap((path) =>
          headerSets.map((headers) => ({
            path,
            init: {
              method,
              headers: { Cookie: cookie, ...(method === 'POST' ? json : {}), ...headers },
              body: method === 'POST' ? '{}' : undefined,
            },
          })),
        ),
      );

      await expectNo5xx(server, requests);
      expect(logEntries(server.logs).filter((entry) => entry.level === 'error')).toEqual([]);
    });
  });

  it('for requests no HTTP client would send', async () => {
    const server = await overHttp();
    const api = apiClient(server);
    const cookie = cookieFrom(await api.signIn());
    const sid = sessionIdOf(cookie);
    const requests = [
      'POST /api/session HTTP/1.0\r\n\r\n',
      'GET /api/session HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n',
      'GET /api/session HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n',
      'GET /api/%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET http://evil.example/api/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET //api/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET /../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'M-SEARCH /api/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n',
      'POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n\xff\xfe',
      'POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\nConnection: close\r\n\r\n{}',
      'POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
      `POST /api/session/heartbeat HTTP/1.1\r\nHost: x\r\nCookie: sid=${sid}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n\xc0\xaf`,
      `GET /api/session HTTP/1.1\r\nHost: x\r\nCookie: sid=${sid}\x00\r\nConnection: close\r\n\r\n`,
      `GET /api/session HTTP/1.1\r\nHost: x\r\n${'X-Filler: y\r\n'.repeat(200)}Connection: close\r\n\r\n`,
    ];

    const statuses = await Promise.all(requests.map((request) => rawSocket(server.url, request)));

    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(statuses.filter((status) => status === 0)).toEqual([]);
    expect((await api.getSession(cookie)).status).toBe(200);
  });
});
