import { beforeEach, vi } from 'vitest';

/**
 * A console.error in a client test is a failure (epic-stack's rule): React warnings are bugs, and
 * so is anything else the code under test reports that way. Registers a beforeEach that records
 * every call; `check()` (from an afterEach) throws when there was one.
 */
export function recordConsoleErrors() {
  let consoleErrors: unknown[][] = [];
  beforeEach(() => {
    consoleErrors = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void consoleErrors.push(args));
  });
  return {
    check() {
      if (consoleErrors.length > 0) {
        throw new Error(
          `console.error was called:\n${consoleErrors.map((args) => args.map(String).join(' ')).join('\n')}`,
        );
      }
    },
  };
}
