/**
 * `npm run soak`: does the server keep every live session under sustained load, across two
 * instances, and through a crash? Not part of `npm test`; it exits non-zero when an invariant is
 * broken, never on a timing figure.
 *
 * 500 simulated users (SOAK_USERS), each with its own session and client address, for 60 s
 * (SOAK_SECONDS). Each user signs in, works (activity at jittered moments, 0.1 to 3 s apart) with
 * the client's real heartbeat schedule (src/features/session/heartbeat-scheduler.ts: leading and
 * trailing edge once per H, retries with backoff), then either signs out or goes idle until its
 * session expires, and signs in again. Runs, in order (SOAK_ONLY=sqlite|redis|kill picks one):
 *
 * - sqlite: one server on SQLite;
 * - redis: two server instances on one Redis, each request to the next instance (round robin);
 * - kill: SQLite, SIGKILLed in the middle and started again; every session that had answered 200
 *   is then read back (test/support/session-promises.ts) and the losses reported.
 *
 * Invariants (a break exits 1): 0 responses other than those expected; 0 active users who ever got
 * 401; every idle user expired within 1 s of its deadline and not before; after the kill, nothing
 * lost that had answered 200. Figures: requests, p50 and p99 latency, server RSS at start and end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionTiming } from '../shared/contract';
import {
  createHeartbeatScheduler,
  type HeartbeatOutcome,
  type HeartbeatScheduler,
} from '../src/features/session/heartbeat-scheduler';
import { findRedisServer, startRedisServer } from '../test/support/redis-server';
import { checkPromises, promiseOf, type PromiseCheck, type SessionPromise } from '../test/support/session-promises';
import { heading, isMain, printTable } from './lib/table';
import { clientAddress, startOurs, type OurServerEnv, type RunningTarget } from './lib/targets';

const users = Number(process.env.SOAK_USERS) || 500;
const seconds = Number(process.env.SOAK_SECONDS) || 60;
const only = process.env.SOAK_ONLY;
/** Short limits so that users go idle and expire many times in a run: H = (20 s - 5 s) / 3 = 5 s. */
const limits = { IDLE_TIMEOUT: '20s', IDLE_WARNING: '5s' };
/** The client's heartbeat timeout (src/lib/api.ts). */
const requestTimeoutMs = 10_000;
/** How late (or early) an idle user's expiry may be against its deadline. */
const expiryToleranceMs = 1_000;

type RequestKind = 'sign-in' | 'heartbeat' | 'check' | 'sign-out';

/** What one scenario saw. */
interface Tally {
  requests: number;
  latenciesMs: number[];
  /** `kind status` (or `kind network`) of every response that was not the expected one. */
  unexpected: Map<string, number>;
  /** Users who got 401 to a heartbeat while working. */
  activeUsersWith401: Set<number>;
  idleChecked: number;
  idleExpiredLate: number;
  idleExpiredEarly: number;
  signIns: number;
  signOuts: number;
  /** Requests that failed because the server was down on purpose (the kill run). */
  failedDuringOutage: number;
  rssStartBytes: number[];
  rssEndBytes: number[];
  killCheck?: PromiseCheck;
  /** The kill run: from SIGKILL until the new server listened. */
  downMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
const between = (min: number, max: number) => min + Math.random() * (max - min);

/** The servers a scenario runs against, and the URL each request goes to (round robin). */
interface Cluster {
  targets: RunningTarget[];
  nextUrl(): string;
}

function cluster(targets: RunningTarget[]): Cluster {
  let next = 0;
  return { targets, nextUrl: () => targets[next++ % targets.length].url };
}

/**
 * One scenario: users run for `seconds` against `cluster`; `midway` (the kill) runs halfway, with
 * every request held back while it runs, so that what it checks is what the crash left.
 */
async function runScenario(
  servers: Cluster,
  midway?: { crash(): Promise<void>; get(cookie: string): Promise<Response> },
): Promise<Tally> {
  const tally: Tally = {
    requests: 0,
    latenciesMs: [],
    unexpected: new Map(),
    activeUsersWith401: new Set(),
    idleChecked: 0,
    idleExpiredLate: 0,
    idleExpiredEarly: 0,
    signIns: 0,
    signOuts: 0,
    failedDuringOutage: 0,
    rssStartBytes: servers.targets.map((target) => target.rssBytes() ?? 0),
    rssEndBytes: [],
  };
  const endAt = Date.now() + seconds * 1000;
  /** While the kill runs: requests wait here, and failures are the outage's. */
  let hold: Promise<void> | undefined;
  let outage = false;
  /** Each user's live session and what its answers promised, for the kill run's check. */
  const promises = new Map<number, SessionPromise>();

  const unexpected = (kind: RequestKind, what: string | number) => {
    const key = `${kind} ${what}`;
    tally.unexpected.set(key, (tally.unexpected.get(key) ?? 0) + 1);
  };

  /** One request as the SPA sends it (Origin, JSON), timed; undefined when no answer came. */
  async function request(
    kind: RequestKind,
    path: string,
    init: { method?: string; cookie?: string; body?: unknown; client: string },
  ): Promise<{ response: Response; sentAt: number } | undefined> {
    while (hold) await hold;
    const url = servers.nextUrl();
    const headers: Record<string, string> = { Origin: url, 'X-Forwarded-For': init.client };
    if (init.cookie) headers.Cookie = init.cookie;
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const sentAt = Date.now();
    tally.requests++;
    try {
      const response = await fetch(url + path, {
        method: init.method ?? 'GET',
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      tally.latenciesMs.push(Date.now() - sentAt);
      return { response, sentAt };
    } catch {
      if (outage || hold) tally.failedDuringOutage++;
      else unexpected(kind, 'network');
      return undefined;
    }
  }

  async function signIn(user: number, client: string): Promise<{ cookie: string; timing: SessionTiming } | undefined> {
    const answer = await request('sign-in', '/api/session', {
      method: 'POST',
      body: { username: `soak${user}`, password: `soak${user}_secret` },
      client,
    });
    if (!answer) return undefined;
    if (answer.response.status !== 201) {
      unexpected('sign-in', answer.response.status);
      return undefined;
    }
    tally.signIns++;
    const cookie = answer.response.headers.get('Set-Cookie')!.split(';')[0];
    const { session } = (await answer.response.json()) as { session: SessionTiming };
    promises.set(user, promiseOf(cookie, answer.sentAt, session));
    return { cookie, timing: session };
  }

  /** Works for `forMs` with the client's real heartbeat schedule; returns the last answer it got. */
  async function work(user: number, client: string, cookie: string, timing: SessionTiming, startAt: number) {
    let interval = timing.heartbeatIntervalMs;
    let last = { sentAt: startAt, receivedAt: Date.now(), timing };
    let working = true;
    /** The heartbeat on its way, if any: its answer may still move the deadline. */
    let inFlight: Promise<unknown> | undefined;
    /** A heartbeat got no answer: the server may or may not have applied it, so the deadline is unknown. */
    let answerLost = false;
    const scheduler: HeartbeatScheduler = createHeartbeatScheduler({
      startAt,
      intervalMs: () => interval,
      isLeader: () => true,
      now: Date.now,
      beforeRetry: () => {},
      onAnswer: () => {},
      async send(idleForMs): Promise<HeartbeatOutcome> {
        const sending = request('heartbeat', '/api/session/heartbeat', {
          method: 'POST',
          cookie,
          body: { idleForMs },
          client,
        });
        inFlight = sending;
        const answer = await sending;
        if (!answer) {
          answerLost = true;
          return { ok: false, kind: 'network' };
        }
        const { response, sentAt } = answer;
        if (response.status === 200) {
          const { session } = (await response.json()) as { session: SessionTiming };
          interval = session.heartbeatIntervalMs;
          last = { sentAt, receivedAt: Date.now(), timing: session };
          promises.set(user, promiseOf(cookie, sentAt, session));
          return { ok: true, sample: { timing: session, sentAt } };
        }
        unexpected('heartbeat', response.status);
        if (response.status !== 401) return { ok: false, kind: 'rejected' };
        if (working) tally.activeUsersWith401.add(user);
        return { ok: false, kind: 'unauthenticated' };
      },
    });
    scheduler.start();
    const workUntil = Math.min(endAt, Date.now() + between(5_000, 25_000));
    while (Date.now() < workUntil) {
      scheduler.noteActivity(Date.now());
      scheduler.schedule();
      await sleep(between(100, 3_000));
    }
    working = false;
    // The trailing heartbeat for the last activity leaves within H; let it land.
    await sleep(interval + 1_000);
    scheduler.stop();
    while (inFlight) {
      const waiting = inFlight;
      await waiting;
      if (inFlight === waiting) inFlight = undefined;
    }
    return answerLost ? undefined : last;
  }

  /** Idle after its last answer: alive just before the deadline, gone within 1 s after it. */
  async function idleUntilExpired(
    client: string,
    cookie: string,
    last: { sentAt: number; receivedAt: number; timing: SessionTiming },
  ) {
    // The server's deadline lies between these two (it read its clock between send and receipt).
    const earliest = last.sentAt + last.timing.idleExpiresInMs;
    const latest = last.receivedAt + last.timing.idleExpiresInMs;
    await sleep(earliest - expiryToleranceMs - Date.now());
    const before = await request('check', '/api/session', { cookie, client });
    const beforeAnsweredAt = Date.now();
    await sleep(latest + expiryToleranceMs - Date.now());
    const after = await request('check', '/api/session', { cookie, client });
    if (!before || !after) return; // the kill run's outage: nothing to judge
    tally.idleChecked++;
    // Expired early: the server said 401 although its deadline cannot have come yet.
    if (before.response.status === 401 && beforeAnsweredAt < earliest) tally.idleExpiredEarly++;
    else if (![200, 401].includes(before.response.status)) unexpected('check', before.response.status);
    // Expired late: still alive although the request left more than 1 s after the deadline.
    if (after.response.status === 200 && after.sentAt >= latest + expiryToleranceMs) tally.idleExpiredLate++;
    else if (after.response.status !== 401 && after.response.status !== 200) unexpected('check', after.response.status);
  }

  async function signOut(client: string, cookie: string) {
    const answer = await request('sign-out', '/api/session', { method: 'DELETE', cookie, client });
    if (!answer) return;
    if (answer.response.status !== 204) return unexpected('sign-out', answer.response.status);
    tally.signOuts++;
    const check = await request('check', '/api/session', { cookie, client });
    if (check && check.response.status !== 401) unexpected('check', check.response.status);
  }

  async function user(n: number) {
    const client = clientAddress(n + 1);
    await sleep(between(0, 5_000)); // a ramp, not all at once
    while (Date.now() < endAt) {
      const startAt = Date.now();
      const session = await signIn(n, client);
      if (!session) {
        await sleep(1_000);
        continue;
      }
      const last = await work(n, client, session.cookie, session.timing, startAt);
      if (Date.now() >= endAt) break;
      if (Math.random() < 0.3 || !last) {
        // Signs out; also when a heartbeat's answer was lost (counted as unexpected): the
        // server's deadline is then unknown, so there is no expiry to judge.
        promises.delete(n); // from the moment the DELETE may leave, its session may be gone
        await signOut(client, session.cookie);
      } else {
        await idleUntilExpired(client, session.cookie, last);
        promises.delete(n);
      }
    }
  }

  const running = Promise.all(Array.from({ length: users }, (_, n) => user(n)));
  if (midway) {
    await sleep((seconds * 1000) / 2);
    let release = () => {};
    hold = new Promise((resolve) => (release = resolve));
    outage = true;
    const promisedAtKill = [...promises.values()];
    const downAt = Date.now();
    try {
      await midway.crash();
    } finally {
      tally.downMs = Date.now() - downAt;
      hold = undefined;
      outage = false;
      release();
    }
    // Users go on at once (a long outage would expire sessions for real); a promise its user
    // withdrew since (a sign-out) is not checked.
    tally.killCheck = await checkPromises(promisedAtKill, midway.get, {
      stillPromised: (promise) => [...promises.values()].some((current) => current.cookie === promise.cookie),
    });
  }
  await running;
  tally.rssEndBytes = servers.targets.map((target) => target.rssBytes() ?? 0);
  return tally;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Prints a scenario's figures and invariants; returns the broken invariants. */
function report(name: string, tally: Tally): string[] {
  const sorted = [...tally.latenciesMs].sort((a, b) => a - b);
  heading(`soak: ${name} (${users} users, ${seconds} s)`);
  printTable(
    ['figure', 'value'],
    [
      ['requests', tally.requests],
      ['sign-ins', tally.signIns],
      ['sign-outs', tally.signOuts],
      ['p50 latency', `${percentile(sorted, 50)} ms`],
      ['p99 latency', `${percentile(sorted, 99)} ms`],
      ['server RSS at start', tally.rssStartBytes.map(mb).join(', ')],
      ['server RSS at end', tally.rssEndBytes.map(mb).join(', ')],
      ...(tally.killCheck
        ? [
            ['server down (SIGKILL to listening again)', `${tally.downMs} ms`],
            ['requests failed while the server was down', tally.failedDuringOutage],
          ]
        : []),
    ],
  );
  const unexpected = [...tally.unexpected.values()].reduce((sum, count) => sum + count, 0);
  const invariants: [string, number, string][] = [
    ['responses other than those expected', unexpected, [...tally.unexpected].map(([k, v]) => `${k}: ${v}`).join(', ')],
    ['active users who got 401', tally.activeUsersWith401.size, ''],
    [
      'idle users not expired within 1 s after the deadline',
      tally.idleExpiredLate,
      `of ${tally.idleChecked} idle users`,
    ],
    ['idle users expired before the deadline', tally.idleExpiredEarly, `of ${tally.idleChecked} idle users`],
  ];
  if (tally.killCheck) {
    const { checked, lost, shortened } = tally.killCheck;
    invariants.push(
      ['sessions lost by the SIGKILL (had answered 200)', lost, `of ${checked} checked`],
      ['sessions cut short by the SIGKILL (a 200 heartbeat lost)', shortened, `of ${checked} checked`],
    );
  }
  console.log('');
  printTable(
    ['invariant', 'count', 'detail', 'holds'],
    invariants.map(([what, count, detail]) => [what, count, detail || '-', count === 0 ? 'yes' : 'NO']),
  );
  if (tally.idleChecked === 0) invariants.push(['idle users checked', 1, 'none: run longer (SOAK_SECONDS)']);
  return invariants.filter(([, count]) => count > 0).map(([what]) => `${name}: ${what}`);
}

async function sqliteServer(dir: string): Promise<RunningTarget> {
  const env: OurServerEnv = { SESSION_STORE: 'sqlite', DATABASE_PATH: join(dir, 'sessions.db'), ...limits };
  return startOurs(env);
}

export async function soak(): Promise<number> {
  const broken: string[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    if (!only || only === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'idle-session-soak-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const server = await sqliteServer(dir);
      cleanups.push(() => server.stop());
      broken.push(...report('SQLite, one server', await runScenario(cluster([server]))));
      await server.stop();
    }

    if (!only || only === 'redis') {
      if (!findRedisServer()) {
        console.log('\nsoak: Redis skipped: redis-server not found');
      } else {
        const redis = (await startRedisServer())!;
        cleanups.push(() => redis.stop());
        const env: OurServerEnv = { SESSION_STORE: 'redis', REDIS_URL: redis.url, ...limits };
        const servers = [await startOurs(env), await startOurs(env)];
        for (const server of servers) cleanups.push(() => server.stop());
        broken.push(...report('Redis, two instances, round robin', await runScenario(cluster(servers))));
        await Promise.all(servers.map((server) => server.stop()));
      }
    }

    if (!only || only === 'kill') {
      const dir = mkdtempSync(join(tmpdir(), 'idle-session-soak-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const targets = [await sqliteServer(dir)];
      cleanups.push(() => targets[0].stop());
      let rssOfRestarted = 0;
      const tally = await runScenario(cluster(targets), {
        async crash() {
          await targets[0].kill();
          targets[0] = await sqliteServer(dir);
          rssOfRestarted = targets[0].rssBytes() ?? 0;
        },
        get: (cookie) => fetch(`${targets[0].url}/api/session`, { headers: { Cookie: cookie } }),
      });
      tally.rssStartBytes.push(rssOfRestarted); // the first server's, then the restarted one's
      broken.push(...report('SQLite, SIGKILL and restart halfway', tally));
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
  console.log(broken.length === 0 ? '\nsoak: every invariant holds' : `\nsoak: BROKEN:\n- ${broken.join('\n- ')}`);
  return broken.length === 0 ? 0 : 1;
}

if (isMain(import.meta.url)) process.exitCode = await soak();
