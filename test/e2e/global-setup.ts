import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FullConfig } from '@playwright/test';
import { distDir, makeTempDir, startAppServer } from '../../scripts/lib/app-server.mjs';

/** The timings of the shared server; tests read them from here, never as loose numbers. */
export const sharedTimings = { idleTimeoutMs: 8_000, warningMs: 5_000 } as const;

/**
 * The calm shared server's timings: no warning for ten minutes. For tests that are not about time
 * (pages, focus, axe, redirects): on the shared server a page load or two on a loaded machine can
 * outlast the 3 s before its warning, which then takes the click the test meant for the page.
 */
export const calmTimings = { IDLE_TIMEOUT: '10m', IDLE_WARNING: '30s' } as const;

/**
 * Starts the shared servers for every test: the built SPA on the real server, SQLite in a fresh
 * temp folder, a free port. The short-timed one's URL goes to the tests (and the config's
 * baseURL) in E2E_BASE_URL, the calm one's in E2E_CALM_URL (test/e2e/support/fixtures.ts, `calmServer`).
 */
export default async function globalSetup(_config: FullConfig) {
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new Error(`No production build in ${distDir}: run \`npm run build\` first (npm run test:e2e does).`);
  }
  const temp = makeTempDir();
  // One after the other: each start builds the server first when server/ changed (scripts/lib/app-server.mjs).
  const server = await startAppServer({
    env: {
      IDLE_TIMEOUT: `${sharedTimings.idleTimeoutMs}ms`,
      IDLE_WARNING: `${sharedTimings.warningMs}ms`,
      DATABASE_PATH: join(temp.path, 'sessions.db'),
    },
    logFile: join(temp.path, 'server.log'),
  });
  const calm = await startAppServer({
    env: { ...calmTimings, DATABASE_PATH: join(temp.path, 'calm-sessions.db') },
    logFile: join(temp.path, 'calm-server.log'),
  }).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  process.env.E2E_BASE_URL = server.url;
  process.env.E2E_SERVER_LOG = join(temp.path, 'server.log');
  process.env.E2E_CALM_URL = calm.url;
  return async () => {
    await Promise.all([server.stop(), calm.stop()]);
    temp.remove();
  };
}
