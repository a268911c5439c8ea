/**
 * Throughput and latency of the real HTTP server for the three session requests, on memory,
 * SQLite (a temp file) and Redis (a throwaway redis-server, when one is installed), each beside
 * its own peer in the same run: express 5 + express-session with a rolling cookie
 * (bench/peers/express-session.mjs) on the store a user of that kind would pick: MemoryStore,
 * better-sqlite3-session-store, connect-redis 10 (which needs Node 22 or later: on Node 20 the
 * Redis pair is skipped). Every row prints `x peer` against its own peer; CPU per request counts
 * every process that does the work (the server, and for Redis its redis-server: each Redis
 * target has one of its own).
 *
 * Each server is the compiled entry (`node build/server/main.js`, what `npm start` runs) or the
 * peer in a process of its own; the load generator is autocannon in this one. Every request
 * carries the cookie of the next of `BENCH_SESSIONS` live sessions, rotating, as that many
 * browsers would. Rounds alternate between targets, so a noisy moment lands on each alike.
 * Figures are printed, never asserted.
 *
 * Run alone: npx tsx bench/server.ts
 * Knobs: BENCH_ROUNDS (default 3), BENCH_SECONDS (per round, default 3; the figures used 10),
 * BENCH_CONNECTIONS (default 50), BENCH_SESSIONS (default 1000), BENCH_STORES (default
 * memory,sqlite,redis: the pairs to run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { findRedisServer, startRedisServer } from '../test/support/redis-server';
import { heading, isMain, median, printTable, ratio } from './lib/table';
import { clientAddress, processCpuMs, signInMany, startOurs, startPeer, type RunningTarget } from './lib/targets';

const rounds = Number(process.env.BENCH_ROUNDS) || 3;
const roundSeconds = Number(process.env.BENCH_SECONDS) || 3;
const connections = Number(process.env.BENCH_CONNECTIONS) || 50;
const liveSessions = Number(process.env.BENCH_SESSIONS) || 1000;
const warmupSeconds = 1;
/** BENCH_STORES=redis (or memory,sqlite ...): run only these pairs; every pair by default. */
const storesWanted = (process.env.BENCH_STORES || 'memory,sqlite,redis').toLowerCase().split(',');
const wanted = (store: string) => storesWanted.includes(store);

const endpoints = ['POST /api/session/heartbeat', 'GET /api/session', 'POST /api/session (sign-in)'] as const;
type Endpoint = (typeof endpoints)[number];

interface Target {
  label: string;
  /** Which pair it belongs to: memory, SQLite or Redis. */
  store: string;
  /** The pair's peer (undefined: this is the peer). */
  peer?: Target;
  server: RunningTarget;
  cookies: string[];
  /** CPU time of every process doing the work (the server, its redis-server), in ms. */
  cpuMs(): number | undefined;
}

interface Round {
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** Share of one core the server (with its redis-server) used during the round, in %. */
  serverCpu: number | undefined;
  /** CPU time (server + redis-server) per answered request, in µs: steadier than req/s on a busy machine. */
  cpuPerRequest: number | undefined;
}

/**
 * The requests autocannon cycles through on every connection. Heartbeat and GET: one prebuilt
 * request per live session, so each request carries the next session's cookie (prebuilt, the
 * load generator spends its core on sending). Sign-in: built per request, each from a new
 * client address, so the per-client throttle (50 attempts in 5 minutes) never trips.
 */
function requestsFor(endpoint: Endpoint, target: Target): autocannon.Request[] {
  const json = { 'content-type': 'application/json', origin: target.server.url };
  switch (endpoint) {
    case 'POST /api/session/heartbeat':
      return target.cookies.map((cookie) => ({
        method: 'POST',
        path: '/api/session/heartbeat',
        headers: { ...json, cookie },
        body: '{}',
      }));
    case 'GET /api/session':
      return target.cookies.map((cookie) => ({ method: 'GET', path: '/api/session', headers: { cookie } }));
    case 'POST /api/session (sign-in)':
      return [
        {
          setupRequest: (request) => {
            const n = signIns++;
            const user = `bench${n % liveSessions}`;
            return {
              ...request,
              method: 'POST',
              path: '/api/session',
              headers: { ...json, 'x-forwarded-for': clientAddress(liveSessions + n) },
              body: JSON.stringify({ username: user, password: `${user}_secret` }),
            };
          },
        },
      ];
  }
}

let signIns = 0;

async function measure(target: Target, endpoint: Endpoint, seconds: number): Promise<Round> {
  const cpuBefore = target.cpuMs();
  const started = performance.now();
  const result = await autocannon({
    url: target.server.url,
    connections,
    duration: seconds,
    requests: requestsFor(endpoint, target),
  });
  const elapsedMs = performance.now() - started;
  const cpuAfter = target.cpuMs();
  return {
    perSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    serverCpu:
      cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) / elapsedMs) * 100,
    cpuPerRequest:
      cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0
        ? undefined
        : ((cpuAfter - cpuBefore) * 1000) / result.requests.total,
  };
}

const nodeMajor = Number(process.versions.node.split('.')[0]);

export async function runServerBench(): Promise<void> {
  heading(`Server: requests/s and latency over HTTP, each store against its own peer (Node ${process.versions.node})`);
  console.log(
    `${connections} connections (autocannon), ${liveSessions} live sessions rotated per request, ${rounds} alternating ` +
      `rounds of ${roundSeconds} s per request and target after a ${warmupSeconds} s warm-up of each.\n` +
      `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.versions.node}. ` +
      `req/s and p99 are the median round; ours is the compiled server (npm start), each server in its own process.\n` +
      `Peers: express 5 + express-session 1.19 (rolling) on MemoryStore, better-sqlite3-session-store 0.1.0, connect-redis 10 + node-redis 5.\n` +
      `CPU µs/req counts every process doing the work: the server, and for Redis its own redis-server (from /proc).\n` +
      `x peer: ours / its peer (req/s, p99); CPU x peer: the peer's CPU per request / ours (higher is cheaper).\n`,
  );

  const targets: Target[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  const notes: string[] = [];
  const add = async (
    label: string,
    store: string,
    start: () => Promise<RunningTarget>,
    options: { peer?: Target; storePid?: number } = {},
  ): Promise<Target> => {
    const server = await start();
    cleanups.push(() => server.stop());
    const { storePid } = options;
    const target: Target = {
      label,
      store,
      peer: options.peer,
      server,
      cookies: await signInMany(server.url, liveSessions),
      cpuMs() {
        const own = server.cpuMs();
        const ofStore = storePid === undefined ? 0 : processCpuMs(storePid);
        return own === undefined || ofStore === undefined ? undefined : own + ofStore;
      },
    };
    targets.push(target);
    return target;
  };
  try {
    if (wanted('memory')) {
      const memoryPeer = await add('express-session MemoryStore', 'memory', () => startPeer());
      await add('ours, memory', 'memory', () => startOurs({ SESSION_STORE: 'memory' }), { peer: memoryPeer });
    }

    if (wanted('sqlite')) {
      const dir = mkdtempSync(join(tmpdir(), 'idle-session-bench-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const sqlitePeer = await add('better-sqlite3-session-store', 'SQLite', () =>
        startPeer([], { PEER_STORE: 'sqlite', DATABASE_PATH: join(dir, 'peer.db') }),
      );
      await add(
        'ours, SQLite',
        'SQLite',
        () => startOurs({ SESSION_STORE: 'sqlite', DATABASE_PATH: join(dir, 'sessions.db') }),
        { peer: sqlitePeer },
      );
    }

    if (!wanted('redis')) {
      // not asked for (BENCH_STORES)
    } else if (!findRedisServer()) {
      notes.push('Redis: skipped, redis-server not found');
    } else if (nodeMajor < 22) {
      notes.push(
        `Redis: skipped on Node ${process.versions.node}, connect-redis 10 needs Node 22 or later (npm run bench runs it on Node 24)`,
      );
    } else {
      try {
        // One redis-server per side, so each side's CPU is its own.
        const [peerRedis, ourRedis] = [await startRedisServer(), await startRedisServer()];
        if (!peerRedis || !ourRedis) throw new Error('redis-server not found');
        cleanups.push(
          () => peerRedis.stop(),
          () => ourRedis.stop(),
        );
        const redisPeer = await add(
          'connect-redis 10',
          'Redis',
          () => startPeer([], { PEER_STORE: 'redis', REDIS_URL: peerRedis.url }),
          { storePid: peerRedis.pid },
        );
        await add('ours, Redis', 'Redis', () => startOurs({ SESSION_STORE: 'redis', REDIS_URL: ourRedis.url }), {
          peer: redisPeer,
          storePid: ourRedis.pid,
        });
      } catch (error) {
        notes.push(`Redis: skipped, ${(error as Error).message.split('\n')[0]}`);
      }
    }

    // Warm every path up (JIT, statement caches, connections), then take turns.
    for (const target of targets) for (const endpoint of endpoints) await measure(target, endpoint, warmupSeconds);
    const results = new Map<string, Round[]>();
    const key = (target: Target, endpoint: Endpoint) => `${target.label}\u0000${endpoint}`;
    for (let round = 0; round < rounds; round++) {
      for (const endpoint of endpoints) {
        // Alternate the order too: no target always runs right after the same one.
        const order = round % 2 === 0 ? targets : [...targets].reverse();
        for (const target of order) {
          const measured = await measure(target, endpoint, roundSeconds);
          results.set(key(target, endpoint), [...(results.get(key(target, endpoint)) ?? []), measured]);
        }
      }
    }

    const summary = (target: Target, endpoint: Endpoint) => {
      const runs = results.get(key(target, endpoint))!;
      const cpu = runs.map((run) => run.serverCpu).filter((value) => value !== undefined);
      const perRequest = runs.map((run) => run.cpuPerRequest).filter((value) => value !== undefined);
      return {
        runs,
        perSecond: median(runs.map((run) => run.perSecond)),
        p50: median(runs.map((run) => run.p50)),
        p99: median(runs.map((run) => run.p99)),
        errors: runs.reduce((sum, run) => sum + run.errors, 0),
        cpu: cpu.length ? `${Math.round(median(cpu))}%` : 'n/a',
        perRequest: perRequest.length ? median(perRequest) : undefined,
      };
    };
    const rows: (string | number)[][] = [];
    const verdicts: string[] = [];
    for (const endpoint of endpoints) {
      for (const target of targets) {
        const row = summary(target, endpoint);
        const peer = target.peer && summary(target.peer, endpoint);
        const spread = row.runs.map((run) => run.perSecond);
        const cpuRatio =
          peer?.perRequest === undefined || row.perRequest === undefined ? undefined : peer.perRequest / row.perRequest;
        rows.push([
          endpoint,
          target.store,
          target.label,
          `${Math.round(row.perSecond)} [${Math.round(Math.min(...spread))}-${Math.round(Math.max(...spread))}]`,
          row.p50,
          row.p99,
          row.errors,
          row.cpu,
          row.perRequest === undefined ? 'n/a' : Math.round(row.perRequest),
          peer ? ratio(row.perSecond, peer.perSecond) : '(peer)',
          peer ? ratio(row.p99, peer.p99) : '',
          cpuRatio === undefined ? (peer ? 'n/a' : '') : `${cpuRatio.toFixed(2)}x`,
        ]);
        if (peer && endpoint === 'POST /api/session/heartbeat') {
          const speed = row.perSecond / peer.perSecond;
          const met = speed >= 1.5 && (cpuRatio ?? 0) >= 1.5 && row.p99 <= peer.p99;
          verdicts.push(
            `${target.store}: heartbeat ${speed.toFixed(2)}x req/s, ${cpuRatio?.toFixed(2) ?? 'n/a'}x cheaper per request, ` +
              `p99 ${row.p99} ms vs ${peer.p99} ms: target (1.5x, 1.5x, p99 no higher) ${met ? 'met' : 'missed'}`,
          );
        }
      }
    }
    printTable(
      [
        'request',
        'store',
        'target',
        'req/s [range]',
        'p50 ms',
        'p99 ms',
        'non-2xx',
        'CPU (% of a core)',
        'CPU µs/req',
        'x peer',
        'p99 x peer',
        'CPU x peer',
      ],
      rows,
    );
    console.log(`\n${[...verdicts, ...notes].join('\n')}`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

if (isMain(import.meta.url)) await runServerBench();
