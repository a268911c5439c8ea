/**
 * Mock mode in a real browser: `vite --mode mock` (what `npm run dev` runs), MSW's service worker
 * answering /api/* in the page with the real server code (decision 002), never the production
 * build. Sign in, the warning and its countdown, Stay signed in, the idle sign-out, a reload that
 * keeps the session (the mock keeps its store and cookie jar in localStorage), the badge.
 */
import { test as base, expect } from '@playwright/test';
import { countdownSeconds, pathIs, signedInAs, signIn, uniqueUser, warningDialog } from './support/app';
import { startMockDevServer } from './support/mock-dev-server';

/**
 * Warning 5 s after the last activity, sign-out after 20 s. Longer than the shared server's 8 s:
 * the dev server loads the app module by module, and a reload on a busy machine can take longer
 * than 8 s, which would end the session before the reload shows it.
 */
const idleTimeoutMs = 20_000;
const warningMs = 15_000;

// Test-scoped (the file has one test): a worker-scoped fixture would give this file workers of its
// own, which Playwright queues after every other test and starts a browser for, so the longest
// test of the run would start last. Its own timeout, as a worker fixture had: the dev server's
// start (up to a minute on a loaded machine) does not eat into the test's.
const test = base.extend<{ mockUrl: string }>({
  mockUrl: [
    // Playwright reads a fixture's dependencies from this destructuring: it must be there, even empty.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startMockDevServer({
        VITE_IDLE_TIMEOUT: String(idleTimeoutMs),
        VITE_IDLE_WARNING: String(warningMs),
      });
      try {
        await use(server.url);
      } finally {
        await server.stop();
      }
    },
    { timeout: 75_000 },
  ],
  baseURL: async ({ mockUrl }, use) => use(mockUrl),
});

test('mock mode: sign in, warning with countdown, Stay signed in, reload keeps the session, idle sign-out', async ({
  page,
}) => {
  // The mock API answers in the page: no request for /api/* ever reaches the dev server.
  const apiRequestsHandledByServiceWorker: boolean[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/api/')) {
      apiRequestsHandledByServiceWorker.push(response.fromServiceWorker());
    }
  });

  const username = await signIn(page, uniqueUser('mock'));
  await expect(page.getByText('mock API', { exact: true })).toBeVisible();

  // A reload keeps the session: the mock's store and cookie jar live in localStorage.
  await page.reload();
  await expect(signedInAs(page)).toContainText(username);
  await expect(page).toHaveURL(pathIs('/'));
  await expect(page.getByText('mock API', { exact: true })).toBeVisible();

  // No input from here: the warning opens idle - warning after the last activity, and counts down.
  const dialog = warningDialog(page);
  await expect(dialog).toBeVisible({ timeout: idleTimeoutMs });
  const first = await countdownSeconds(page);
  expect(first).toBeGreaterThan(0);
  expect(first).toBeLessThanOrEqual(warningMs / 1000);
  await expect.poll(() => countdownSeconds(page), { timeout: 3_000 }).toBeLessThan(first);

  // Stay signed in: the dialog closes and the session goes on.
  await dialog.getByRole('button', { name: 'Stay signed in' }).click();
  await expect(dialog).toBeHidden();
  await expect(signedInAs(page)).toContainText(username);

  // Idle again: warned again, then signed out for inactivity.
  await expect(dialog).toBeVisible({ timeout: idleTimeoutMs });
  await expect(page).toHaveURL(/\/login\?reason=idle/, { timeout: idleTimeoutMs });
  await expect(page.getByRole('status').filter({ hasText: 'inactivity' })).toContainText(
    'You were signed out after 20 seconds of inactivity.',
  );
  await expect(signedInAs(page)).toHaveCount(0);

  // And the session is gone in the mock too: a reload stays signed out.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(signedInAs(page)).toHaveCount(0);

  expect(apiRequestsHandledByServiceWorker.length).toBeGreaterThan(0);
  expect(apiRequestsHandledByServiceWorker.every(Boolean)).toBe(true);
});
