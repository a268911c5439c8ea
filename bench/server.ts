/**
 * Throughput and latency of the real HTTP server (createApp on @hono/node-server) for the three
 * session requests, with the memory store as the baseline in the same run, then SQLite (a temp
 * file) and Redis (a throwaway redis-server, when one is installed).
 *
 * The server runs in a child process, the load generator (node:http, keep-alive) in this one:
 * on a 2-core machine each has a core. Figures are printed, never asserted.
 *
 * Run alone: npx tsx bench/server.ts
 * Knobs: BENCH_ROUNDS (default 5), BENCH_SECONDS (per round, default 0.6), BENCH_CONNECTIONS (default 32).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { findRedisServer, startRedisServer, type RedisServer } from '../test/support/redis-server';
import { heading, isMain, printTable, ratio } from './lib/table';

/** Each (request, store) pair gets `rounds` turns of `roundSeconds`: 5 x 0.6 s = 3 s each. */
const rounds = Number(process.env.BENCH_ROUNDS) || 5;
const roundSeconds = Number(process.env.BENCH_SECONDS) || 0.6;
const connections = Number(process.env.BENCH_CONNECTIONS) || 32;
const warmupMs = 500;
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const serverScript = fileURLToPath(new URL('./lib/server-process.ts', import.meta.url));

type StoreKind = 'memory' | 'sqlite' | 'redis';

interface RunningServer {
  port: number;
  /** The server process's CPU time so far (user + system), in ms. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts bench/lib/server-process.ts with this store and waits for its port. */
function startServer(kind: StoreKind, env: Record<string, string>): Promise<RunningServer> {
  const child: ChildProcess = fork(serverScript, [], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env, BENCH_STORE: kind },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the ${kind} server exited with ${code} before listening`)));
    child.once('message', (message: { port: number }) =>
      resolve({
        port: message.port,
        cpuMs: () =>
          new Promise((resolveCpu) => {
            const listen = (reply: { cpu?: NodeJS.CpuUsage }) => {
              if (!reply.cpu) return;
              child.off('message', listen);
              resolveCpu((reply.cpu.user + reply.cpu.system) / 1000);
            };
            child.on('message', listen);
            child.send('cpu');
          }),
        async stop() {
          child.send('stop');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        },
      }),
    );
  });
}

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Sent {
  status: number;
  setCookie?: string;
}

function send(agent: Agent, port: number, call: Call): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const headers =
      call.body === undefined
        ? call.headers
        : { ...call.headers, 'Content-Length': String(Buffer.byteLength(call.body)) };
    const req = request({ agent, host: '127.0.0.1', port, method: call.method, path: call.path, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie']?.[0] }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(call.body);
  });
}

interface Measured {
  perSecond: number;
  latencies: number[];
  errors: number;
  /** CPU time each process used, in ms, and the wall time: near one core marks the side that was the limit. */
  serverCpuMs: number;
  clientCpuMs: number;
  elapsedMs: number;
}

/** `connections` clients, each sending its next request as soon as the last is answered, for `durationMs`. */
async function measure(
  server: RunningServer,
  agent: Agent,
  call: (client: number) => Call,
  expected: number,
  durationMs: number,
): Promise<Measured> {
  const latencies: number[] = [];
  let errors = 0;
  const serverCpuBefore = await server.cpuMs();
  const clientCpuBefore = process.cpuUsage();
  const started = performance.now();
  const end = started + durationMs;
  await Promise.all(
    Array.from({ length: connections }, async (_, client) => {
      while (performance.now() < end) {
        const before = performance.now();
        try {
          const { status } = await send(agent, server.port, call(client));
          if (status !== expected) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - before);
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  return {
    perSecond: (latencies.length / elapsedMs) * 1000,
    latencies,
    errors,
    serverCpuMs: (await server.cpuMs()) - serverCpuBefore,
    clientCpuMs: (clientCpu.user + clientCpu.system) / 1000,
    elapsedMs,
  };
}

const endpoints = ['POST /api/session/heartbeat', 'GET /api/session', 'POST /api/session (sign-in)'] as const;
type Endpoint = (typeof endpoints)[number];
type Calls = Record<Endpoint, { call: (client: number) => Call; expected: number }>;

interface Target {
  label: string;
  server: RunningServer;
  agent: Agent;
  calls: Calls;
}

/** Signs one session in per client (as that many browsers would have) and builds the three requests. */
async function prepare(label: string, server: RunningServer): Promise<Target> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const origin = `http://127.0.0.1:${server.port}`;
  const json = { 'Content-Type': 'application/json', Origin: origin };
  const signInCall = (client: number): Call => ({
    method: 'POST',
    path: '/api/session',
    headers: json,
    body: JSON.stringify({ username: `bench${client}`, password: `bench${client}_secret` }),
  });
  const cookies: string[] = [];
  for (let client = 0; client < connections; client++) {
    const { status, setCookie } = await send(agent, server.port, signInCall(client));
    if (status !== 201 || !setCookie) throw new Error(`${label}: sign-in answered ${status}`);
    cookies.push(setCookie.split(';')[0]);
  }
  const calls: Calls = {
    'POST /api/session/heartbeat': {
      call: (client) => ({
        method: 'POST',
        path: '/api/session/heartbeat',
        headers: { ...json, Cookie: cookies[client] },
        body: '{"idleForMs":0}',
      }),
      expected: 200,
    },
    'GET /api/session': {
      call: (client) => ({ method: 'GET', path: '/api/session', headers: { Cookie: cookies[client] } }),
      expected: 200,
    },
    'POST /api/session (sign-in)': { call: signInCall, expected: 201 },
  };
  return { label, server, agent, calls };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

export async function runServerBench(): Promise<void> {
  heading('Server: requests/s and latency over HTTP, per store (memory = baseline)');
  console.log(
    `${connections} keep-alive connections; ${rounds} interleaved rounds of ${roundSeconds} s per request and store, after a ` +
      `${warmupMs} ms warm-up of each. Server in a child process, load generator (node:http) in this one.\n` +
      `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.versions.node}. ` +
      `req/s is the median round (range in brackets); latencies pool every round.\n`,
  );

  const targets: Target[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  let redisNote: string | undefined;
  try {
    const memory = await startServer('memory', {});
    cleanups.push(() => memory.stop());
    targets.push(await prepare('memory (baseline)', memory));

    const dir = mkdtempSync(join(tmpdir(), 'idle-session-bench-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const sqlite = await startServer('sqlite', { BENCH_DATABASE_PATH: join(dir, 'sessions.db') });
    cleanups.push(() => sqlite.stop());
    targets.push(await prepare('sqlite (temp file)', sqlite));

    if (!findRedisServer()) {
      redisNote = 'skipped: redis-server not found';
    } else {
      try {
        const redis: RedisServer | undefined = await startRedisServer();
        if (!redis) throw new Error('redis-server not found');
        cleanups.push(() => redis.stop());
        const server = await startServer('redis', { BENCH_REDIS_URL: redis.url });
        cleanups.push(() => server.stop());
        targets.push(await prepare('redis (local)', server));
      } catch (error) {
        redisNote = `skipped: ${(error as Error).message.split('\n')[0]}`;
      }
    }

    // Warm every path up (JIT, statement caches, connections), then take turns so that a noisy
    // moment on the machine lands on every store alike rather than on whichever ran then.
    for (const target of targets) {
      for (const endpoint of endpoints)
        await measure(
          target.server,
          target.agent,
          target.calls[endpoint].call,
          target.calls[endpoint].expected,
          warmupMs,
        );
    }
    const results = new Map<string, Measured[]>();
    const key = (target: Target, endpoint: Endpoint) => `${target.label}\u0000${endpoint}`;
    for (let round = 0; round < rounds; round++) {
      for (const endpoint of endpoints) {
        for (const target of targets) {
          const { call, expected } = target.calls[endpoint];
          const measured = await measure(target.server, target.agent, call, expected, roundSeconds * 1000);
          results.set(key(target, endpoint), [...(results.get(key(target, endpoint)) ?? []), measured]);
        }
      }
    }

    const rows: (string | number)[][] = [];
    for (const endpoint of endpoints) {
      let baseline: { perSecond: number; p99: number } | undefined;
      for (const target of targets) {
        const runs = results.get(key(target, endpoint))!;
        const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
        const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
        const perSecond = median(runs.map((run) => run.perSecond));
        const p99 = at(0.99);
        baseline ??= { perSecond, p99 };
        const elapsed = runs.reduce((sum, run) => sum + run.elapsedMs, 0);
        const cpu = (pick: (run: Measured) => number) =>
          Math.round((runs.reduce((sum, run) => sum + pick(run), 0) / elapsed) * 100);
        const spread = runs.map((run) => run.perSecond);
        rows.push([
          endpoint,
          target.label,
          `${Math.round(perSecond)} [${Math.round(Math.min(...spread))}-${Math.round(Math.max(...spread))}]`,
          at(0.5).toFixed(2),
          p99.toFixed(2),
          runs.reduce((sum, run) => sum + run.errors, 0),
          `${cpu((run) => run.serverCpuMs)}% / ${cpu((run) => run.clientCpuMs)}%`,
          ratio(perSecond, baseline.perSecond),
          ratio(p99, baseline.p99),
        ]);
      }
      if (redisNote) rows.push([endpoint, 'redis', redisNote, '', '', '', '', '', '']);
    }
    printTable(
      [
        'request',
        'store',
        'req/s',
        'p50 ms',
        'p99 ms',
        'errors',
        'CPU server / load',
        'req/s vs memory',
        'p99 vs memory',
      ],
      rows,
    );
  } finally {
    for (const target of targets) target.agent.destroy();
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

if (isMain(import.meta.url)) await runServerBench();
