import type { Browser } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { keepActive, pathIs, signIn, uniqueUser } from './support/app';

/**
 * Your sessions (issue 10): two browsers (two contexts) signed in as the same user. B sees A in
 * its list and ends it; A, still working, lands on the sign-in page at its next heartbeat.
 */

const firefoxOnWindows = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0';
/**
 * A server of the test's own: no warning while two browsers sign in on a loaded machine, and
 * H (server/session/expiry.ts: a third of idle - warning) short enough to wait for.
 */
const timings = { IDLE_TIMEOUT: '10m', IDLE_WARNING: '9m' };
const heartbeatIntervalMs = Math.floor((10 * 60_000 - 9 * 60_000) / 3);
/** Slack for the request, the navigation and a loaded machine, on top of one interval. */
const marginMs = 2_000;

async function twoBrowsers(browser: Browser, origin: string) {
  const user = uniqueUser('sessions');
  const contextA = await browser.newContext({ userAgent: firefoxOnWindows });
  const a = await contextA.newPage();
  await signIn(a, user, { from: `${origin}/login` });
  const contextB = await browser.newContext();
  const b = await contextB.newPage();
  await signIn(b, user, { from: `${origin}/login?next=%2Faccount`, expectPath: '/account' });
  const list = b.getByRole('region', { name: 'Where you are signed in' });
  return { a, b, list, close: () => Promise.all([contextA.close(), contextB.close()]) };
}

test('B lists A with its browser label; Sign out everywhere else ends A at its next heartbeat while A works', async ({
  browser,
  startServer,
}) => {
  const server = await startServer({ env: timings });
  const { a, b, list, close } = await twoBrowsers(browser, server.url);
  await expect(list.getByText('Firefox on Windows')).toBeVisible();
  await expect(list.getByRole('listitem').filter({ hasText: 'This browser' })).toHaveCount(1);
  await expect(list.getByText(/Signed in .* · last active/)).toHaveCount(2);

  const working = keepActive([a], heartbeatIntervalMs + 2 * marginMs);
  await list.getByRole('button', { name: 'Sign out everywhere else' }).click();
  const endedAt = Date.now();
  await expect(a).toHaveURL(pathIs('/login'), { timeout: heartbeatIntervalMs + marginMs });
  expect(Date.now() - endedAt).toBeLessThanOrEqual(heartbeatIntervalMs + marginMs);
  await expect(a.getByText('Your session was ended from another device.')).toBeVisible();
  expect(new URL(a.url()).searchParams.get('reason')).toBe('revoked');
  await working;

  await expect(list.getByText('You are signed in only in this browser.')).toBeVisible();
  await expect(list.getByRole('status')).toHaveText('Signed out everywhere else.');
  await expect(b).toHaveURL(pathIs('/account'));
  expect((await b.request.get(`${server.url}/api/session`)).status()).toBe(200);
  await close();
});

test('a browser whose session was ended finds out when its tab gains focus, without a heartbeat', async ({
  browser,
  startServer,
}) => {
  const server = await startServer({ env: timings });
  const { a, list, close } = await twoBrowsers(browser, server.url);
  const rowOfA = list.getByRole('listitem').filter({ hasText: 'Firefox on Windows' });
  await rowOfA.getByRole('button', { name: /^Sign out Firefox on Windows/ }).click();
  await expect(list.getByRole('status')).toHaveText(/^Signed out Firefox on Windows/);
  await expect(rowOfA).toHaveCount(0);

  await a.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(a).toHaveURL(pathIs('/login'), { timeout: 2_000 });
  await expect(a.getByText('Your session was ended from another device.')).toBeVisible();
  await close();
});
