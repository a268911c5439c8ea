import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { childExit, stopChildProcess } from '../../scripts/lib/child-process.mjs';
import { freePort } from './ephemeral-port';

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  pid: number;
  /** Kills the server (by pid) and waits until it has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL: gone at once, nothing flushed, as in a crash. Waits until it has exited. */
  kill(): Promise<void>;
  /** SIGSTOP: the process and its sockets stay, nothing answers (a hung Redis). */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
}

export interface RedisServerOptions {
  /** A port you know (to restart a stopped server on it); else a free one. */
  port?: number;
  /**
   * `appendonly yes` with its files in `dir` (made by the caller): every write is logged and
   * fsynced once a second, so a restart on the same `dir` finds the data. Without it the server
   * keeps nothing.
   */
  appendOnlyDir?: string;
  /** More `redis-server` arguments (a cluster node's, test/support/redis-cluster.ts). */
  extraArgs?: (port: number) => string[];
}

const startTimeoutMs = 10_000;

/** `/usr/bin/redis-server`, else `redis-server` on PATH, else undefined. */
export function findRedisServer(): string | undefined {
  const candidates = [
    '/usr/bin/redis-server',
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'redis-server')),
  ];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Resolves true when something on `port` answers PING with PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/**
 * Starts a throwaway `redis-server` on a free loopback port, with no persistence unless
 * `appendOnlyDir` is given, and waits until it answers PING. Pass `port` to start one on a port
 * you know (to restart a stopped one).
 *
 * Where redis-server is missing it says so loudly and returns undefined, so the caller can skip
 * the Redis tests; under `CI=true` a missing redis-server is a failure and this throws.
 */
export async function startRedisServer({ port, appendOnlyDir, extraArgs }: RedisServerOptions = {}): Promise<
  RedisServer | undefined
> {
  const binary = findRedisServer();
  if (!binary) {
    const message =
      'redis-server not found (looked in /usr/bin and on PATH); install it (apt-get install redis-server)';
    if (process.env.CI === 'true') throw new Error(`${message}. CI=true: a missing part is a failure.`);
    console.warn(`\n${'!'.repeat(72)}\nSKIPPED: ${message}.\nThe Redis store tests do not run.\n${'!'.repeat(72)}\n`);
    return undefined;
  }

  // A free port can be taken by someone else between our check and redis-server's bind: retry.
  let lastFailure = '';
  for (let attempt = 0; attempt < (port === undefined ? 3 : 1); attempt++) {
    const chosen = port ?? (await freePort());
    const child = spawn(
      binary,
      [
        '--port',
        String(chosen),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        appendOnlyDir ? 'yes' : 'no',
        '--dir',
        appendOnlyDir ?? tmpdir(),
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
        ...(extraArgs?.(chosen) ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const childExited = childExit(child).then(() => undefined);
    // Never leave a redis-server behind when the test process ends without calling stop().
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);

    const stop = async () => {
      process.removeListener('exit', killOnExit);
      // A paused server cannot act on SIGTERM: let it run first.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
      await stopChildProcess(child, { graceMs: 3_000 });
    };
    const kill = async () => {
      process.removeListener('exit', killOnExit);
      await stopChildProcess(child, { ask: () => child.kill('SIGKILL') });
    };

    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      if (await answersPing(chosen)) {
        // Still ours? (Another process could have taken the port, and ours exited.)
        if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) break;
        return {
          url: `redis://127.0.0.1:${chosen}`,
          port: chosen,
          pid: child.pid,
          stop,
          kill,
          pause: () => void child.kill('SIGSTOP'),
          resume: () => void child.kill('SIGCONT'),
        };
      }
      const failed = await Promise.race([
        spawnError,
        childExited,
        new Promise<undefined>((resolve) => setTimeout(resolve, 25)),
      ]);
      if (failed) {
        output += failed.message;
        break;
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`redis-server on port ${chosen} did not answer PING within ${startTimeoutMs} ms:\n${output}`);
      }
    }
    await stop();
    lastFailure = `redis-server on port ${chosen} exited before answering PING:\n${output}`;
  }
  throw new Error(lastFailure);
}
