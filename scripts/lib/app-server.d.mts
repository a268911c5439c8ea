/** Types for app-server.mjs (plain JavaScript so that scripts/*.mjs can use it without a build). */
import type { ChildExit } from './child-process.mjs';

export declare const repoRoot: string;
export declare const distDir: string;

/** This process's environment without any server setting, for a child server to start clean. */
export declare function environmentWithoutConfig(): Record<string, string | undefined>;

export declare function makeTempDir(prefix?: string): { path: string; remove(): void };

export interface AppServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The environment the server was started with (after the defaults). */
  env: Record<string, string | undefined>;
  /** The `listening` log line, parsed. */
  listening: Record<string, unknown>;
  /** Everything the server printed so far, stdout and stderr as they came. */
  output(): string;
  /** What the server printed on stdout so far (its JSON log lines). */
  stdout(): string;
  /** What the server printed on stderr so far. */
  stderr(): string;
  /** SIGKILL at once (a crash: no graceful shutdown), then waits for the process to exit. Safe to call twice, also after stop(). */
  kill(): Promise<ChildExit>;
  /** SIGTERM, then waits for the process to exit (SIGKILL after 10 s); resolves with how it exited. Safe to call twice. */
  stop(): Promise<ChildExit>;
}

/** What startAppServer rejects with when the server exits before it listens. */
export interface AppServerExitError extends Error {
  exit: ChildExit;
  stdout: string;
  stderr: string;
}

/**
 * Starts server/main.ts with `env` on top of HOST=127.0.0.1, PORT=0, SQLite and STATIC_DIR=dist;
 * resolves once it logged `listening`. Rejects with an AppServerExitError if it exits first.
 */
export declare function startAppServer(options?: {
  env?: Record<string, string>;
  logFile?: string;
  startTimeoutMs?: number;
}): Promise<AppServer>;
