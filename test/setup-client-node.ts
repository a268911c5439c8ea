import { afterEach, vi } from 'vitest';
import { recordConsoleErrors } from './support/console-errors';

// The client tests that need no DOM (vite.config.ts, project client-node): the same rules as
// test/setup-client.ts without jsdom, Testing Library and the mock API, which they never touch.
const consoleErrors = recordConsoleErrors();

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  consoleErrors.check();
});
