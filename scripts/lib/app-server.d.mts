/** Types for app-server.mjs (plain JavaScript so that scripts/*.mjs can use it without a build). */

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
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM, then waits for the process to exit (SIGKILL after 10 s). Safe to call twice. */
  stop(): Promise<void>;
}

export declare function startAppServer(options?: {
  env?: Record<string, string>;
  logFile?: string;
  startTimeoutMs?: number;
}): Promise<AppServer>;
