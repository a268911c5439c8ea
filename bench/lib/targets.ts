/**
 * The servers the benches load, each in a process of its own (on 2 cores: the server one core, the
 * load generator the other):
 * - ours: the real entry, compiled (`node build/server/main.js`, what `npm start` runs), configured
 *   through its environment like any deployment;
 * - the peer: express 5 + express-session (bench/peers/express-session.mjs).
 * Both print a JSON `listening` line with their URL; CPU time and RSS come from /proc (Linux).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildServerIfStale, serverEntry } from '../../scripts/build.mjs';
import { environmentWithoutConfig } from '../../scripts/lib/app-server.mjs';
import { stopChildProcess } from '../../scripts/lib/child-process.mjs';

const peerScript = fileURLToPath(new URL('../peers/express-session.mjs', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const defaultStartTimeoutMs = 20_000;

export interface RunningTarget {
  url: string;
  pid: number;
  /** CPU time (user + system) the process used so far, in ms; undefined where /proc is missing. */
  cpuMs(): number | undefined;
  /** Resident set size now, in bytes; undefined where /proc is missing. */
  rssBytes(): number | undefined;
  stop(): Promise<void>;
  /** SIGKILL, as in a crash (no graceful shutdown); resolves once it has exited. */
  kill(): Promise<void>;
  /** What it printed up to `listening`, and its `metrics_listening` line when it has one. */
  output(): string;
}

/** Environment for our server in a bench: believes X-Forwarded-For, so a load generator can be many clients. */
export interface OurServerEnv {
  SESSION_STORE: 'memory' | 'sqlite' | 'redis';
  DATABASE_PATH?: string;
  REDIS_URL?: string;
  [name: string]: string | undefined;
}

/** The idle limit in a bench: long enough that no session ends between two rounds of a long run. */
export const benchIdleTimeout = { IDLE_TIMEOUT: '15m', IDLE_WARNING: '2m' };

/** How a target's process is started, past its arguments and environment. */
export interface StartOptions {
  /** A program that runs node (`['valgrind', '--tool=callgrind']`): the process is then that program's. */
  wrapper?: string[];
  /** How long it may take to print `listening`; 20 s by default. */
  startTimeoutMs?: number;
}

/** Starts the compiled server (building it first if server/ changed) with this store; `nodeArgs` before the script. */
export async function startOurs(
  env: OurServerEnv,
  nodeArgs: string[] = [],
  options: StartOptions = {},
): Promise<RunningTarget> {
  await buildServerIfStale();
  return startProcess('ours', [...nodeArgs, serverEntry], options, {
    ...environmentWithoutConfig(),
    HOST: '127.0.0.1',
    PORT: '0',
    STATIC_DIR: '',
    // Behind a proxy: the bench sends X-Forwarded-For, one address per simulated client.
    TRUST_PROXY: 'true',
    ...benchIdleTimeout,
    ...env,
  });
}

/** Which express-session store the peer runs on, and where (bench/peers/express-session.mjs). */
export interface PeerEnv {
  PEER_STORE?: 'memory' | 'sqlite' | 'redis';
  DATABASE_PATH?: string;
  REDIS_URL?: string;
}

/** Starts the express-session peer (MemoryStore unless `env` names another); `nodeArgs` before the script. */
export function startPeer(nodeArgs: string[] = [], env: PeerEnv = {}): Promise<RunningTarget> {
  return startProcess(
    'peer',
    [...nodeArgs, peerScript],
    {},
    {
      ...environmentWithoutConfig(),
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
  );
}

function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const clockTicksPerSecond = 100; // USER_HZ on Linux

/**
 * CPU time (user + system) process `pid` used so far, in ms (any process: a server, a
 * redis-server); undefined where /proc is missing.
 */
export function processCpuMs(pid: number): number | undefined {
  const fields = procStat(pid);
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat (11 and 12 after the name).
  return fields ? ((Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond) * 1000 : undefined;
}

function startProcess(
  label: string,
  args: string[],
  { wrapper = [], startTimeoutMs = defaultStartTimeoutMs }: StartOptions,
  env: NodeJS.ProcessEnv,
): Promise<RunningTarget> {
  const [command, ...commandArgs] = [...wrapper, process.execPath, ...args];
  const child = spawn(command, commandArgs, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label}: no "listening" line within ${startTimeoutMs} ms\n${output}`));
    }, startTimeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code} before listening\n${output}`));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    let listening = false;
    // The log lines (one per sign-in) are read and dropped, as a log shipper would read them.
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      // The metrics listener's line may come after `listening`; no other line is kept after it.
      if (listening) {
        if (chunk.includes('"metrics_listening"')) output += chunk;
        return;
      }
      output += chunk;
      const line = output.split('\n').find((text) => text.includes('"listening"'));
      if (!line) return;
      listening = true;
      clearTimeout(timer);
      const pid = child.pid!;
      resolve({
        url: String((JSON.parse(line) as { url: string }).url),
        pid,
        cpuMs: () => processCpuMs(pid),
        rssBytes() {
          try {
            const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
            return match ? Number(match[1]) * 1024 : undefined;
          } catch {
            return undefined;
          }
        },
        output: () => output,
        async stop() {
          await stopChildProcess(child);
        },
        async kill() {
          await stopChildProcess(child, { ask: () => child.kill('SIGKILL') });
        },
      });
    });
  });
}

/** A distinct client address per number (10.0.0.0/8), for X-Forwarded-For. */
export function clientAddress(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/**
 * Signs `count` users in (`bench<i>` / `bench<i>_secret`), `parallel` at a time, from `count`
 * different client addresses; returns each session's cookie (`name=value`).
 */
export async function signInMany(url: string, count: number, parallel = 50): Promise<string[]> {
  const cookies: string[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        const response = await fetch(`${url}/api/session`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: url, 'X-Forwarded-For': clientAddress(i) },
          body: JSON.stringify({ username: `bench${i}`, password: `bench${i}_secret` }),
        });
        const setCookie = response.headers.get('Set-Cookie');
        await response.arrayBuffer();
        if (response.status !== 201 || !setCookie) throw new Error(`sign-in ${i} answered ${response.status}`);
        cookies[i] = setCookie.split(';')[0];
      }
    }),
  );
  return cookies;
}
