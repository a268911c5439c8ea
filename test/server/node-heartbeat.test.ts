/**
 * The Node server's own heartbeat path (server/http/node-heartbeat.ts, decision 033) against the
 * app alone: twin servers, each with its own store, the same clock and the same config, one
 * behind `nodeRequestListener` and one behind @hono/node-server only, get the same seeded random
 * sequence of requests: heartbeats of every shape (right and wrong host, origin, fetch site,
 * content type, length, chunked, body, cookie, request id, forwarded proto), sign-ins, operator
 * ends and time passing. After each step both answers must be the same (status, headers, body;
 * the request id's value aside), and at the end both logs and both stores. A failure prints
 * its seed and step; `HEARTBEAT_MODEL_SEED=<seed>` replays it.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../bench/lib/virtual-time';
import { apiPaths } from '../../shared/contract';
import { createApp } from '../../server/app';
import { nodeRequestListener } from '../../server/http/node-heartbeat';
import { createMemoryLogger } from '../../server/logger';
import { createPrometheusMetrics } from '../../server/metrics/prometheus';
import { defaultSessionConfig, type CookieSecure } from '../../server/session/policy';
import { nodeDigests } from '../../server/session/node-digests';
import { createMemoryStore } from '../../server/stores/memory';
import type { Store } from '../../server/stores/store';
import { guardStore } from '../../server/stores/unavailable';
import { createTestClock, type TestClock } from '../support/test-server';

const publicOrigin = 'http://app.test';
const users = ['ada', 'bob', 'cy'];
const steps = 400;

interface Twin {
  port: number;
  store: Store;
  logs: string[];
  /** Requests the app answered (the rest of the heartbeats the fast path answered alone). */
  appAnswers: () => number;
  /** The session cookie value of each user's latest sign-in. */
  sessions: Map<string, string>;
  /** The counters' and the histogram's counts (not its sums: those are times). */
  metrics(): Promise<string[]>;
  close(): Promise<void>;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function startTwin(
  fast: boolean,
  clock: TestClock,
  trustProxy: boolean,
  cookieSecure: CookieSecure,
  options: { store?: Store } = {},
) {
  const logger = createMemoryLogger();
  const config = {
    session: { ...defaultSessionConfig, idleTimeoutMs: 60_000, warningMs: 20_000, maxHoldMs: 90_000, cookieSecure },
    trustProxy,
    publicOrigins: [publicOrigin],
  };
  const parts = { store: options.store ?? createMemoryStore(), config, clock, digests: nodeDigests };
  const { store } = parts;
  const metrics = createPrometheusMetrics({ store, clock, processMetrics: false });
  let appAnswers = 0;
  const dependencies = {
    ...parts,
    logger,
    // The app asks every request it answers for its client's address: a count of what it answered.
    clientAddress: () => {
      appAnswers++;
      return '127.0.0.1';
    },
    metrics: metrics.http,
    sessionEvents: metrics.sessionEvents,
  };
  const listener: (incoming: IncomingMessage, outgoing: ServerResponse) => void = fast
    ? nodeRequestListener(dependencies)
    : getRequestListener(createApp(dependencies).fetch);
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  closers.push(close);
  const twin: Twin = {
    port: (server.address() as AddressInfo).port,
    store,
    logs: logger.lines,
    appAnswers: () => appAnswers,
    sessions: new Map(),
    metrics: async () => (await metrics.registry.metrics()).split('\n').filter(countedLine),
    close,
  };
  return twin;
}

const countedLine = (line: string) =>
  line.startsWith('idle_session_') && !line.includes('_sum') && !line.includes('_bucket');

interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

/** One request with exactly these raw headers (duplicates too) and body; chunked without Content-Length. */
function send(port: number, method: string, path: string, headers: string[], body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          headers: response.headers as Answer['headers'],
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** What must be the same in two answers: all but the date, the connection's headers and the id's value. */
function comparable({ status, headers, body }: Answer, offeredId: string | undefined) {
  const { date: _date, connection: _c, 'keep-alive': _k, 'x-request-id': requestId, ...rest } = headers;
  let parsed: unknown = body;
  try {
    parsed = JSON.parse(body);
  } catch {
    // not JSON: compared as text
  }
  if (parsed && typeof parsed === 'object' && 'requestId' in parsed) {
    // The id in an error body is the one in the header.
    expect((parsed as { requestId: unknown }).requestId).toBe(requestId);
    parsed = { ...parsed, requestId: '(the X-Request-Id)' };
  }
  return {
    status,
    hasRequestId: typeof requestId === 'string',
    echoed: requestId === offeredId,
    headers: rest,
    body: parsed,
  };
}

/** A log line without what differs between twins by design: the request id, the time, the session (its id is random). */
function logged(line: string) {
  const { requestId: _id, time: _time, session: _session, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return rest;
}

function pick<T>(random: () => number, options: readonly T[]): T {
  return options[Math.floor(random() * options.length)];
}

/** A heartbeat of some shape: mostly the right one, often wrong in one way, sometimes in several. */
function heartbeatShape(random: () => number, trustProxy: boolean) {
  const chance = (p: number) => random() < p;
  const user = pick(random, users);
  // Half are what a browser sends; the others are wrong in one way or several.
  const ordinary = chance(0.5);
  const body =
    ordinary || chance(0.6)
      ? pick(random, [
          '{}',
          '',
          '{"idleForMs":1500}',
          '{"idleForMs":0}',
          '{"hold":"import"}',
          '{"hold":"import","idleForMs":80000}',
        ])
      : pick(random, [
          '{"idleForMs":"soon"}',
          '{"hold":"bad!"}',
          '{"hold":"é"}',
          '{"extra":1}',
          '[]',
          'null',
          'not json',
          '{"idleForMs":1e400}',
          ' {} ',
          'x'.repeat(5000),
        ]);
  return {
    user,
    method: ordinary || chance(0.95) ? 'POST' : pick(random, ['GET', 'PUT', 'DELETE']),
    path:
      ordinary || chance(0.93)
        ? apiPaths.heartbeat
        : pick(random, [`${apiPaths.heartbeat}?x=1`, `${apiPaths.heartbeat}/`, '/api/session/Heartbeat']),
    // Behind a proxy, Host is often the proxy's name for this server; X-Forwarded-Host is the public one.
    host:
      ordinary || chance(0.88)
        ? trustProxy && chance(0.3)
          ? 'internal:3000'
          : 'app.test'
        : pick(random, [
            'evil.test',
            'app.test:81',
            undefined,
            'app.test, evil.test',
            'bad host',
            'app.test:99999',
            'APP.TEST',
            'internal:3000',
          ]),
    secondHost: !ordinary && chance(0.03),
    forwardedHost:
      trustProxy && chance(0.3) ? pick(random, ['app.test', 'evil.test', 'app.test, evil.test']) : undefined,
    origin:
      ordinary || chance(0.85)
        ? publicOrigin
        : pick(random, ['http://evil.test', 'null', undefined, 'https://app.test']),
    secondOrigin: !ordinary && chance(0.03),
    fetchSite: ordinary || chance(0.8) ? undefined : pick(random, ['same-origin', 'same-site', 'cross-site', 'none']),
    contentType:
      ordinary || chance(0.88)
        ? 'application/json'
        : pick(random, ['application/json; charset=utf-8', 'text/plain', undefined, 'application/jsonp']),
    chunked: !ordinary && chance(0.05),
    // Both names, or one: the app reads `__Host-sid` over https (or COOKIE_SECURE=always), else `sid`.
    cookie:
      ordinary || chance(0.85)
        ? pick(random, ['own', 'plain', 'host-prefixed'] as const)
        : pick(random, ['none', 'garbage', 'both', 'twice', 'split'] as const),
    requestId: trustProxy && chance(0.3) ? pick(random, ['trace-123', 'bad id', 'a'.repeat(200)]) : undefined,
    forwardedProto: trustProxy && chance(0.2) ? pick(random, ['https', 'http', 'http, https']) : undefined,
    body,
  };
}

type Shape = ReturnType<typeof heartbeatShape>;

/** What a browser sends, with an empty body. */
const ordinaryShape: Shape = {
  user: users[0],
  method: 'POST',
  path: apiPaths.heartbeat,
  host: 'app.test',
  origin: publicOrigin,
  secondOrigin: false,
  secondHost: false,
  forwardedHost: undefined,
  fetchSite: undefined,
  contentType: 'application/json',
  chunked: false,
  cookie: 'own',
  requestId: undefined,
  forwardedProto: undefined,
  body: '{}',
};

function heartbeatRequest(shape: Shape, sessionId: string | undefined): { headers: string[]; body: string } {
  const headers: string[] = [];
  if (shape.host !== undefined) headers.push('Host', shape.host);
  if (shape.secondHost) headers.push('Host', 'app.test');
  if (shape.forwardedHost !== undefined) headers.push('X-Forwarded-Host', shape.forwardedHost);
  else if (shape.host === 'internal:3000') headers.push('X-Forwarded-Host', 'app.test');
  if (shape.origin !== undefined) headers.push('Origin', shape.origin);
  if (shape.secondOrigin) headers.push('Origin', 'http://evil.test');
  if (shape.fetchSite !== undefined) headers.push('Sec-Fetch-Site', shape.fetchSite);
  if (shape.contentType !== undefined) headers.push('Content-Type', shape.contentType);
  if (shape.requestId !== undefined) headers.push('X-Request-Id', shape.requestId);
  if (shape.forwardedProto !== undefined) headers.push('X-Forwarded-Proto', shape.forwardedProto);
  const own = sessionId ?? 'none-yet';
  const cookies = {
    own: `sid=${own}; __Host-sid=${own}`,
    plain: `sid=${own}`,
    none: undefined,
    garbage: 'sid=garbage; __Host-sid=garbage',
    'host-prefixed': `__Host-sid=${own}`,
    both: `sid=${own}; __Host-sid=garbage`,
    twice: undefined,
    split: undefined,
  }[shape.cookie];
  if (cookies !== undefined) headers.push('Cookie', cookies);
  if (shape.cookie === 'twice') headers.push('Cookie', `sid=${own}`, 'Cookie', `__Host-sid=${own}`);
  // Joined with "; " the first `sid` is empty; joined with ", " it is not a cookie value at all.
  if (shape.cookie === 'split')
    headers.push('Cookie', '__Host-sid=; sid=', 'Cookie', `"x; sid=${own}; __Host-sid=${own}`);
  if (!shape.chunked) headers.push('Content-Length', String(Buffer.byteLength(shape.body)));
  return { headers, body: shape.body };
}

async function signIn(twin: Twin, user: string) {
  const body = JSON.stringify({ username: user, password: `${user}_secret` });
  const answer = await send(
    twin.port,
    'POST',
    apiPaths.session,
    [
      'Host',
      'app.test',
      'Origin',
      publicOrigin,
      'Content-Type',
      'application/json',
      'Content-Length',
      String(body.length),
    ],
    body,
  );
  expect(answer.status).toBe(201);
  const cookie = ([] as string[])
    .concat(answer.headers['set-cookie'] ?? [])
    .find((line) => /^(__Host-)?sid=/.test(line));
  twin.sessions.set(user, cookie!.split(';')[0].split('=')[1]);
}

const configurations: Array<{ trustProxy: boolean; cookieSecure: CookieSecure }> = [
  { trustProxy: false, cookieSecure: 'auto' },
  { trustProxy: true, cookieSecure: 'auto' },
  { trustProxy: true, cookieSecure: 'always' },
];

describe('the Node server answers a heartbeat as the app does, in every shape', () => {
  for (const { trustProxy, cookieSecure } of configurations) {
    it(`TRUST_PROXY=${trustProxy}, COOKIE_SECURE=${cookieSecure}: ${steps} seeded random steps`, async () => {
      const seed = Number(process.env.HEARTBEAT_MODEL_SEED) || Math.floor(Math.random() * 1_000_000);
      const random = seededRandom(seed);
      const clock = createTestClock();
      const fast = await startTwin(true, clock, trustProxy, cookieSecure);
      const plain = await startTwin(false, clock, trustProxy, cookieSecure);
      const twins = [fast, plain];
      const done: string[] = [];
      let heartbeats = 0;
      let answered200 = 0;
      try {
        for (const user of users) for (const twin of twins) await signIn(twin, user);
        for (let step = 0; step < steps; step++) {
          const roll = random();
          if (roll < 0.06) {
            const user = pick(random, users);
            done.push(`sign in ${user}`);
            for (const twin of twins) await signIn(twin, user);
          } else if (roll < 0.09) {
            const user = pick(random, users);
            done.push(`operator ends ${user}`);
            for (const twin of twins) await twin.store.revokeAll(clock.now(), user);
          } else if (roll < 0.2) {
            const ms = Math.floor(random() * 30_000);
            done.push(`${ms} ms pass`);
            clock.advance(ms);
          } else {
            const shape = heartbeatShape(random, trustProxy);
            done.push(`heartbeat ${JSON.stringify({ ...shape, body: shape.body.slice(0, 40) })}`);
            const answers = [];
            for (const twin of twins) {
              const { headers, body } = heartbeatRequest(shape, twin.sessions.get(shape.user));
              answers.push(comparable(await send(twin.port, shape.method, shape.path, headers, body), shape.requestId));
            }
            expect(answers[0], `seed ${seed}, step ${step}: ${done.at(-1)}`).toEqual(answers[1]);
            heartbeats++;
            if (answers[0].status === 200 && shape.path === apiPaths.heartbeat) answered200++;
          }
          clock.advance(Math.floor(random() * 2_000));
        }
        // The same sessions are left on both, in the same state, and the same lines were logged.
        for (const user of users) {
          const states = await Promise.all(
            twins.map(async (twin) => {
              const sessions = await twin.store.listByUser(user, clock.now());
              return sessions.map(({ lastActivityAt, createdAt, revoked }) => ({ lastActivityAt, createdAt, revoked }));
            }),
          );
          expect(states[0], `seed ${seed}: ${user}'s sessions`).toEqual(states[1]);
        }
        expect(fast.logs.map(logged), `seed ${seed}: the logs`).toEqual(plain.logs.map(logged));
        expect(await fast.metrics(), `seed ${seed}: the metrics`).toEqual(await plain.metrics());
        // The fast path answered many heartbeats by itself, and only ones the app answers 200:
        // the plain twin's app saw every request, the fast twin's all but those.
        const answeredAlone = plain.appAnswers() - fast.appAnswers();
        expect(answeredAlone, `seed ${seed}`).toBeGreaterThan(steps / 25);
        expect(answeredAlone, `seed ${seed}`).toBeLessThanOrEqual(answered200);
      } catch (error) {
        console.log(`heartbeat model: seed ${seed} failed after ${done.length} steps:\n${done.join('\n')}`);
        throw error;
      }
      expect(heartbeats).toBeGreaterThan(steps / 2);
    });
  }
});

describe('what the Node server hands to the app', () => {
  it('a store outage: the same 503 as the app, and the store asked once', async () => {
    const clock = createTestClock();
    const outage = { down: false, extends: 0 };
    const failing = () => {
      const store = createMemoryStore();
      const extend = store.extend.bind(store);
      return guardStore(
        {
          ...store,
          extend: (...args: Parameters<Store['extend']>) => {
            outage.extends++;
            return outage.down ? Promise.reject(new Error('connection lost')) : extend(...args);
          },
        },
        () => outage.down,
      );
    };
    const fast = await startTwin(true, clock, false, 'auto', { store: failing() });
    const plain = await startTwin(false, clock, false, 'auto', { store: failing() });
    const answers = [];
    for (const twin of [fast, plain]) {
      await signIn(twin, 'ada');
      outage.down = true;
      const before = outage.extends;
      const shape = { ...ordinaryShape, user: 'ada' };
      const { headers, body } = heartbeatRequest(shape, twin.sessions.get('ada'));
      answers.push(comparable(await send(twin.port, 'POST', apiPaths.heartbeat, headers, body), undefined));
      expect(outage.extends - before).toBe(1);
      outage.down = false;
    }
    expect(answers[0].status).toBe(503);
    expect(answers[0]).toEqual(answers[1]);
    expect(fast.logs.map(logged)).toEqual(plain.logs.map(logged));
    expect(await fast.metrics()).toEqual(await plain.metrics());
  });
});

describe('requests the adapter reads its own way', () => {
  // Found in review: the first two crashed the process (an unhandled rejection from `new Request`
  // with an invalid URL) or extended the session where the app answers 400; the third read another
  // `sid` than the app. Each is answered as the app answers it, and nothing is thrown.
  const cases: Array<{ name: string; trustProxy: boolean; shape: Partial<Shape>; filler?: string[] }> = [
    {
      name: 'a Host no URL can hold, the public host forwarded',
      trustProxy: true,
      shape: { host: 'bad host', forwardedHost: 'app.test' },
    },
    {
      name: 'a port past 65535, the public host forwarded',
      trustProxy: true,
      shape: { host: 'app.test:99999', forwardedHost: 'app.test' },
    },
    { name: 'two Host lines', trustProxy: false, shape: { secondHost: true } },
    { name: 'two Cookie lines', trustProxy: false, shape: { cookie: 'split' } },
    {
      name: 'no cookie, a body the schema refuses, Host invalid',
      trustProxy: true,
      shape: { host: 'bad host', forwardedHost: 'app.test', cookie: 'none', body: 'not json' },
    },
    {
      // Node's `headers` (what the adapter reads) keeps the first 1,000 lines, rawHeaders a few more.
      name: '1,000 header lines between Host and the rest',
      trustProxy: false,
      shape: {},
      filler: Array.from({ length: 1_000 }, () => ['a', '']).flat(),
    },
  ];
  for (const { name, trustProxy, shape: changes, filler = [] } of cases) {
    it(name, async () => {
      const clock = createTestClock();
      const twins = [
        await startTwin(true, clock, trustProxy, 'auto'),
        await startTwin(false, clock, trustProxy, 'auto'),
      ];
      const answers = [];
      for (const twin of twins) {
        await signIn(twin, 'ada');
        const { headers, body } = heartbeatRequest({ ...ordinaryShape, ...changes }, twin.sessions.get('ada'));
        answers.push(
          comparable(
            await send(
              twin.port,
              'POST',
              apiPaths.heartbeat,
              [...headers.slice(0, 2), ...filler, ...headers.slice(2)],
              body,
            ),
            undefined,
          ),
        );
      }
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[0].status).not.toBe(200);
      const [fast, plain] = twins;
      expect(fast.logs.map(logged)).toEqual(plain.logs.map(logged));
    });
  }
});
