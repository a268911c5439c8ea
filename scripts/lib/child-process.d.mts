/** Types for child-process.mjs (plain JavaScript so that scripts/*.mjs can use it without a build). */
import type { ChildProcess } from 'node:child_process';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves with how `child` exited, at once if it already has. */
export declare function childExit(child: ChildProcess): Promise<ChildExit>;

/**
 * Asks `child` to stop (`ask`, default SIGTERM), waits for it to exit, and SIGKILLs it after
 * `graceMs` (default 10 s) if it has not. Resolves with how it exited.
 */
export declare function stopChildProcess(
  child: ChildProcess,
  options?: { graceMs?: number; ask?: () => void },
): Promise<ChildExit>;
