import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { makeTempDir, startAppServer, type AppServer } from '../../../scripts/lib/app-server.mjs';

export interface OwnServerOptions {
  /** Server environment on top of the defaults (127.0.0.1, a free port, SQLite, dist/). */
  env?: Record<string, string>;
}

export interface OwnServer extends AppServer {
  /** The SQLite file; a restart with `restart()` keeps it. */
  databasePath: string;
  /** Starts it again (after stop()) on the same port and database. */
  startAgain(): Promise<OwnServer>;
  /** stop(), then startAgain(). */
  restart(): Promise<OwnServer>;
}

interface Fixtures {
  /**
   * Starts a server of this test's own (for timings other than the shared server's, or to stop and
   * start it). SQLite in a fresh temp folder; everything is stopped and removed after the test.
   */
  startServer(options?: OwnServerOptions): Promise<OwnServer>;
  /**
   * The calm shared server (global-setup.ts, `calmTimings`: no warning for ten minutes), for tests
   * that are not about time and need no settings of their own. Unique usernames keep tests apart.
   */
  calmServer: { url: string };
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  calmServer: async ({}, use) => {
    const url = process.env.E2E_CALM_URL;
    if (!url) throw new Error('E2E_CALM_URL is not set: test/e2e/global-setup.ts starts the calm server');
    await use({ url });
  },
  // Playwright reads a fixture's dependencies from this destructuring: it must be there, even empty.
  // eslint-disable-next-line no-empty-pattern
  startServer: async ({}, use, testInfo) => {
    const cleanups: (() => unknown)[] = [];
    const launch = async (env: Record<string, string>, databasePath: string, logFile: string): Promise<OwnServer> => {
      const server = await startAppServer({ env: { ...env, DATABASE_PATH: databasePath }, logFile });
      cleanups.push(() => server.stop());
      const startAgain = () => launch({ ...env, PORT: String(server.port) }, databasePath, logFile);
      return {
        ...server,
        databasePath,
        startAgain,
        async restart() {
          await server.stop();
          return startAgain();
        },
      };
    };
    await use(async ({ env = {} } = {}) => {
      const temp = makeTempDir();
      cleanups.push(() => temp.remove());
      return launch(env, join(temp.path, 'sessions.db'), testInfo.outputPath(`server-${cleanups.length}.log`));
    });
    // Servers first (they hold the database open), then the folders.
    for (const cleanup of cleanups.reverse()) await cleanup();
  },
});

export { expect };

/**
 * The tag of a test that proves nothing about real time: it waits on no real timeout, or only for
 * something to happen, with room to spare (the calm server, page.clock, a ten-minute session).
 * Such tests run in the 'calm' project, beside the timing tests, in browsers at a lower CPU
 * priority (playwright.config.ts, decision 030): they use the cores the timing tests leave idle,
 * and a timing test's page never waits for one of them.
 */
export const calm = { tag: '@calm' };
