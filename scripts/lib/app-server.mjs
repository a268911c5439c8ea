// The real server entry as a child process, for the end-to-end tests and the screenshot script:
// it waits for the JSON `listening` log line and returns the URL and stop().
//
// It runs the compiled server (build/server/main.js) with plain `node`, as `npm start` does,
// building it first when server/ changed since the last build.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChildProcess } from './child-process.mjs';
import { buildServerIfStale, serverEntry } from '../build.mjs';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const distDir = join(repoRoot, 'dist');

/** Every variable the server reads: the caller's shell cannot leak a setting into a test server. */
const configVariables = [
  'PORT',
  'HOST',
  'IDLE_TIMEOUT',
  'IDLE_WARNING',
  'ABSOLUTE_TIMEOUT',
  'SESSION_STORE',
  'DATABASE_PATH',
  'REDIS_URL',
  'COOKIE_SECURE',
  'STATIC_DIR',
  'TRUST_PROXY',
  'PUBLIC_ORIGIN',
  'HEADERS_TIMEOUT',
  'REQUEST_TIMEOUT',
  'MAX_CONNECTIONS',
  'METRICS_PORT',
  'METRICS_HOST',
  'SHUTDOWN_DRAIN',
];

/** This process's environment without any server setting, for a child server to start clean. */
export function environmentWithoutConfig() {
  const env = { ...process.env };
  for (const name of configVariables) delete env[name];
  return env;
}

/** A fresh temporary folder; remove() deletes it. */
export function makeTempDir(prefix = 'idle-session-e2e-') {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Starts the compiled server/main.ts with `env` on top of: HOST=127.0.0.1, PORT=0 (a free port),
 * SQLite, STATIC_DIR=dist. Resolves once it logged `listening`. Rejects if it exits first (the
 * error's `exit`, `stdout` and `stderr` say how) or takes longer than `startTimeoutMs` (then it is
 * killed). `logFile`, when given, receives the server's stdout and stderr.
 */
export async function startAppServer({ env = {}, logFile, startTimeoutMs = 20_000 } = {}) {
  const fullEnv = {
    ...environmentWithoutConfig(),
    HOST: '127.0.0.1',
    PORT: '0',
    SESSION_STORE: 'sqlite',
    STATIC_DIR: distDir,
    ...env,
  };
  await buildServerIfStale();
  const child = spawn(process.execPath, [serverEntry], {
    cwd: repoRoot,
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
  let stdout = '';
  let stderr = '';
  let output = '';
  // 'close' comes after 'exit', once stdout and stderr have been read to the end.
  const closed = new Promise((resolveClose) => child.once('close', (code, signal) => resolveClose({ code, signal })));

  const listening = new Promise((resolveListening, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not log "listening" within ${startTimeoutMs} ms\n${output}`));
    }, startTimeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      output += chunk;
      log?.write(chunk);
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (!line.startsWith('{')) continue;
        try {
          const entry = JSON.parse(line);
          if (entry.event === 'listening') {
            clearTimeout(timer);
            resolveListening(entry);
          }
        } catch {
          // not a log line
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      output += chunk;
      log?.write(chunk);
    });
    void closed.then((exit) => {
      clearTimeout(timer);
      const error = new Error(`server exited (code ${exit.code}, signal ${exit.signal}) before listening\n${output}`);
      reject(Object.assign(error, { exit, stdout, stderr }));
    });
  });

  const closeLog = () => new Promise((done) => (log ? log.end(done) : done()));
  let entry;
  try {
    entry = await listening;
  } catch (error) {
    await closed;
    await closeLog();
    throw error;
  }
  const url = String(entry.url);
  let stopping;
  return {
    url,
    port: Number(new URL(url).port),
    env: fullEnv,
    listening: entry,
    output: () => output,
    stdout: () => stdout,
    stderr: () => stderr,
    /** SIGKILL at once, as in a crash: nothing flushed, no shutdown. Waits until it has exited. */
    kill() {
      stopping ??= (async () => {
        const exit = await stopChildProcess(child, { ask: () => child.kill('SIGKILL') });
        await closed;
        await closeLog();
        return exit;
      })();
      return stopping;
    },
    /** SIGTERM (graceful shutdown), SIGKILL if it is still running after 10 s. */
    stop() {
      stopping ??= (async () => {
        const exit = await stopChildProcess(child);
        await closed;
        await closeLog();
        return exit;
      })();
      return stopping;
    },
  };
}
