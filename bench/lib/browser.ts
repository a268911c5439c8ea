/**
 * Chromium for the client-side benches (activity.ts, timing.ts): playwright-core's driver on the
 * system Chromium, and the real server (server/main.ts over dist/, as the end-to-end tests run it).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { makeTempDir, startAppServer, type AppServer } from '../../scripts/lib/app-server.mjs';
import { chromiumArgs, chromiumPath } from '../../scripts/lib/chromium.mjs';

/** A headless Chromium, or why there is none (the bench prints it and skips). */
export async function launchChromium(): Promise<Browser | string> {
  if (!existsSync(chromiumPath))
    return `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;
  try {
    return await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs] });
  } catch (error) {
    return `Chromium at ${chromiumPath} did not start: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Runs `body` with the real server (SQLite in a temp folder, dist/ as the SPA), then stops it. */
export async function withAppServer<T>(env: Record<string, string>, body: (server: AppServer) => Promise<T>) {
  const data = makeTempDir('idle-session-bench-');
  const server = await startAppServer({ env: { DATABASE_PATH: `${data.path}/sessions.db`, ...env } });
  try {
    return await body(server);
  } finally {
    await server.stop();
    data.remove();
  }
}

/** Signs in through the login page (any username; the password is `<username>_secret`). */
export async function signInThroughPage(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(`${username}_secret`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('banner').getByText('Signed in as').waitFor();
}

/** The renderer's main-thread script time so far, in ms (CDP Performance.getMetrics, ScriptDuration). */
export async function scriptMs(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((metric) => metric.name === 'ScriptDuration')?.value ?? 0) * 1000;
}

/**
 * Counts React commits without touching the page's code: React calls the DevTools hook's
 * `onCommitFiberRoot` after every commit, in production builds too. Install before React loads.
 */
export async function countReactCommits(page: Page): Promise<() => Promise<number>> {
  await page.addInitScript(() => {
    const w = window as unknown as { __commits: number; __REACT_DEVTOOLS_GLOBAL_HOOK__: unknown };
    w.__commits = 0;
    // Methods, not arrow properties: tsx would wrap those in a naming helper the page does not have.
    w.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
      supportsFiber: true,
      renderers: new Map(),
      inject() {
        return 1;
      },
      checkDCE() {},
      onScheduleFiberRoot() {},
      onCommitFiberRoot() {
        w.__commits++;
      },
      onCommitFiberUnmount() {},
      onPostCommitFiberRoot() {},
    };
  });
  return () => page.evaluate(() => (window as unknown as { __commits: number }).__commits);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
