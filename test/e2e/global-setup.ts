import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FullConfig } from '@playwright/test';
import { distDir, makeTempDir, startAppServer } from '../../scripts/lib/app-server.mjs';

/** The timings of the shared server; tests read them from here, never as loose numbers. */
export const sharedTimings = { idleTimeoutMs: 8_000, warningMs: 5_000 } as const;

/**
 * Starts the shared server for every test: the built SPA on the real server, SQLite in a fresh
 * temp folder, a free port. Its URL goes to the tests (and the config's baseURL) in E2E_BASE_URL.
 */
export default async function globalSetup(_config: FullConfig) {
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new Error(`No production build in ${distDir}: run \`npm run build\` first (npm run test:e2e does).`);
  }
  const temp = makeTempDir();
  const server = await startAppServer({
    env: {
      IDLE_TIMEOUT: `${sharedTimings.idleTimeoutMs}ms`,
      IDLE_WARNING: `${sharedTimings.warningMs}ms`,
      DATABASE_PATH: join(temp.path, 'sessions.db'),
    },
    logFile: join(temp.path, 'server.log'),
  });
  process.env.E2E_BASE_URL = server.url;
  process.env.E2E_SERVER_LOG = join(temp.path, 'server.log');
  return async () => {
    await server.stop();
    temp.remove();
  };
}
