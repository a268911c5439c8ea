/**
 * Where a server's heartbeat CPU time goes: one target started with `node --cpu-prof`, loaded
 * with the server bench's heartbeats (autocannon, 50 connections, 1,000 live sessions rotated per
 * request) for a while, stopped, and the profile's samples taken during that load summed up:
 * the functions with the most self time, and self time by origin (our code, hono, node-server, ioredis, better-sqlite3, the peer's
 * express, node's own internals, native code and GC). The .cpuprofile file stays for Chrome
 * DevTools (Performance > Load profile).
 *
 * Run: npx tsx bench/profile.ts [memory|sqlite|redis|peer]   (default memory)
 * On Node 24: node scripts/with-node.mjs 24 -- npx tsx bench/profile.ts redis
 * Knobs: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (50), BENCH_SESSIONS (1000), BENCH_PROFILE_TOP (25),
 * BENCH_METRICS=on (our server with METRICS_PORT=0: prom-client, every request measured).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startRedisServer } from '../test/support/redis-server';
import { heading, isMain, printTable } from './lib/table';
import { signInMany, startOurs, startPeer, type RunningTarget } from './lib/targets';

const seconds = Number(process.env.BENCH_SECONDS) || 10;
const connections = Number(process.env.BENCH_CONNECTIONS) || 50;
const liveSessions = Number(process.env.BENCH_SESSIONS) || 1000;
const top = Number(process.env.BENCH_PROFILE_TOP) || 25;
/** Our server with its metrics on (issue 21: what they cost a heartbeat, function by function). */
const metricsOn = process.env.BENCH_METRICS === 'on';
const metricsEnv: Record<string, string> = metricsOn ? { METRICS_PORT: '0' } : {};

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  /** Microseconds on the monotonic clock, as `process.hrtime` reads it in every process. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Now on the monotonic clock, in microseconds: the clock V8 stamps profile samples with. */
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/** `file:///.../node_modules/hono/dist/x.js` -> `hono`; build/server/main.js -> `ours`. */
function origin(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const packagePath = url.split('node_modules/').pop()!;
  if (url.includes('node_modules/')) {
    const parts = packagePath.split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  // The compiled server bundles hono and @hono/node-server with our code.
  if (url.includes('/build/server/')) return 'build/server (ours + hono)';
  if (url.includes('/bench/peers/')) return 'the peer (bench/peers)';
  return url;
}

/** Self time per function and per origin, in ms, from a V8 .cpuprofile: the samples within `window` (µs). */
export function summarize(profile: CpuProfile, window: { from: number; to: number }) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const perFunction = new Map<string, { ms: number; origin: string }>();
  const perOrigin = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    at += profile.timeDeltas[index] ?? 0;
    if (at < window.from || at > window.to) return;
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const frame = byId.get(id)!;
    const where = origin(frame.url, frame.functionName);
    const file = frame.url ? frame.url.split('/').slice(-2).join('/') : '';
    const name = `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
    const entry = perFunction.get(name) ?? { ms: 0, origin: where };
    entry.ms += ms;
    perFunction.set(name, entry);
    perOrigin.set(where, (perOrigin.get(where) ?? 0) + ms);
    total += ms;
  });
  return { total, perFunction, perOrigin };
}

async function startTarget(which: string, nodeArgs: string[], cleanups: (() => Promise<void> | void)[]) {
  if (which === 'peer') return startPeer(nodeArgs);
  if (which === 'memory') return startOurs({ SESSION_STORE: 'memory', ...metricsEnv }, nodeArgs);
  if (which === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'idle-session-profile-'));
    return startOurs({ SESSION_STORE: 'sqlite', DATABASE_PATH: join(dir, 'sessions.db'), ...metricsEnv }, nodeArgs);
  }
  if (which === 'redis') {
    const redis = await startRedisServer();
    if (!redis) throw new Error('redis-server not found');
    cleanups.push(() => redis.stop());
    return startOurs({ SESSION_STORE: 'redis', REDIS_URL: redis.url, ...metricsEnv }, nodeArgs);
  }
  throw new Error(`unknown target ${which}: memory, sqlite, redis or peer`);
}

export async function runProfile(which = 'memory'): Promise<void> {
  heading(
    `Profile: ${which}${metricsOn ? ', metrics on' : ''}, heartbeats for ${seconds} s (Node ${process.versions.node})`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'idle-session-cpuprofile-'));
  const cleanups: (() => Promise<void> | void)[] = [];
  let server: RunningTarget | undefined;
  try {
    server = await startTarget(which, ['--cpu-prof', `--cpu-prof-dir=${dir}`], cleanups);
    const cookies = await signInMany(server.url, liveSessions);
    const cpuBefore = server.cpuMs();
    const from = monotonicMicros();
    const result = await autocannon({
      url: server.url,
      connections,
      duration: seconds,
      requests: cookies.map((cookie) => ({
        method: 'POST',
        path: '/api/session/heartbeat',
        headers: { 'content-type': 'application/json', origin: server!.url, cookie },
        body: '{}',
      })),
    });
    const window = { from, to: monotonicMicros() };
    const cpuMs = (server.cpuMs() ?? NaN) - (cpuBefore ?? NaN);
    console.log(
      `${Math.round(result.requests.total / result.duration)} heartbeats/s, p99 ${result.latency.p99} ms, ` +
        `${result.non2xx + result.errors} non-2xx; server CPU ${Math.round(cpuMs / (result.duration * 10))}% of a core, ` +
        `${Math.round((cpuMs * 1000) / result.requests.total)} µs per heartbeat (the profile adds its own cost).`,
    );
    await server.stop();
    server = undefined;
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile written');
    const { total, perFunction, perOrigin } = summarize(JSON.parse(readFileSync(join(dir, file), 'utf8')), window);
    if (total === 0) throw new Error('no profile sample within the load: the clocks differ?');
    const share = (ms: number) => `${((ms / total) * 100).toFixed(1)}%`;
    console.log(
      `\nSelf time by origin, while the heartbeats ran (${Math.round(total)} ms; "(idle)": waiting for I/O):`,
    );
    printTable(
      ['origin', 'self ms', 'share'],
      [...perOrigin].sort((a, b) => b[1] - a[1]).map(([where, ms]) => [where, Math.round(ms), share(ms)]),
    );
    console.log(`\nTop ${top} functions by self time:`);
    printTable(
      ['function', 'origin', 'self ms', 'share'],
      [...perFunction]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, top)
        .map(([name, { ms, origin: where }]) => [name, where, Math.round(ms), share(ms)]),
    );
    console.log(`\nProfile: ${join(dir, file)}`);
  } finally {
    await server?.stop();
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

if (isMain(import.meta.url)) await runProfile(process.argv[2]);
