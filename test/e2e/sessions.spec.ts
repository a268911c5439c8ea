import type { Browser, Page } from '@playwright/test';
import { calm, expect, test } from './support/fixtures';
import type { SessionResponse } from '../../shared/contract';
import { keepActive, passwordFor, pathIs, signedInAs, signIn, submitLogin, uniqueUser } from './support/app';

/**
 * Your sessions (issue 10): two browsers (two contexts) signed in as the same user. B sees A in
 * its list and ends it; A, still working, lands on the sign-in page at its next heartbeat.
 */

const firefoxOnWindows = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0';
/**
 * A server of the test's own: no warning while two browsers sign in on a loaded machine (30 s
 * without input before it; the two sign-ins took 15 s at a load average of 15), and H
 * (server/session/expiry.ts: a third of idle - warning, 10 s) short enough to wait for.
 */
const timings = { IDLE_TIMEOUT: '600s', IDLE_WARNING: '570s' };
const heartbeatIntervalMs = Math.floor((600_000 - 570_000) / 3);
/** Slack for the request, the navigation and a loaded machine, on top of one interval. */
const marginMs = 2_000;

// Two browsers signing in take a while on a loaded machine; the waits inside stay as they are.
test.describe.configure({ timeout: 180_000 });

async function twoBrowsers(browser: Browser, origin: string) {
  const user = uniqueUser('sessions');
  const contextA = await browser.newContext({ userAgent: firefoxOnWindows });
  const a = await contextA.newPage();
  await signIn(a, user, { from: `${origin}/login` });
  const contextB = await browser.newContext();
  const b = await contextB.newPage();
  await signIn(b, user, { from: `${origin}/login?next=%2Faccount`, expectPath: '/account' });
  const list = b.getByRole('region', { name: 'Where you are signed in' });
  return { user, a, b, list, close: () => Promise.all([contextA.close(), contextB.close()]) };
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

/**
 * Waits, on a condition, until B's sign-in is no longer recent (REAUTH_WINDOW): a DELETE of a
 * session id that does not exist changes nothing, and answers 404 while the sign-in is recent,
 * 401 reauth_required after.
 */
async function untilSignInIsNotRecent(page: Page, origin: string) {
  await expect
    .poll(
      async () =>
        (
          await page.request.delete(`${origin}/api/sessions/AAAAAAAAAAAAAAAAAAAAAA`, { headers: { Origin: origin } })
        ).status(),
      { timeout: 15_000, intervals: [250] },
    )
    .toBe(401);
}

test('past REAUTH_WINDOW, Sign out everywhere else asks for the password in place, announces a wrong one, then ends A', async ({
  browser,
  startServer,
}) => {
  const server = await startServer({ env: { ...timings, REAUTH_WINDOW: '3s' } });
  const { user, a, b, list, close } = await twoBrowsers(browser, server.url);
  await untilSignInIsNotRecent(b, server.url);

  await list.getByRole('button', { name: 'Sign out everywhere else' }).click();
  const dialog = b.getByRole('dialog', { name: 'Enter your password again' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Password')).toBeFocused();
  await dialog.getByLabel('Password').fill('wrong');
  await dialog.getByLabel('Password').press('Enter');
  await expect(dialog.getByRole('alert')).toHaveText('That password is wrong. Try again.');
  // Still signed in everywhere: a wrong password ends nothing, here or there.
  expect((await a.request.get(`${server.url}/api/session`)).status()).toBe(200);

  await dialog.getByLabel('Password').fill(`${user}_secret`);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toBeHidden();
  await expect(list.getByText('You are signed in only in this browser.')).toBeVisible();
  await expect(list.getByRole('status')).toHaveText('Signed out everywhere else.');
  expect((await a.request.get(`${server.url}/api/session`)).status()).toBe(401);
  await close();
});

test('Forget other browsers: A’s device token is refused afterwards, like a forged one', async ({
  browser,
  startServer,
}) => {
  const server = await startServer({ env: { ...timings, LOGIN_LOCK_FAILURES: '3' } });
  const { user, a, b, list, close } = await twoBrowsers(browser, server.url);
  await list.getByRole('button', { name: 'Forget other browsers' }).click();
  await expect(list.getByRole('status')).toHaveText(/^Other browsers forgotten/);

  // Lock the username: only a browser with a valid device token for it still gets in.
  for (let i = 0; i < 3; i++) {
    await b.request.post(`${server.url}/api/session`, {
      headers: { Origin: server.url, 'Content-Type': 'application/json' },
      data: { username: user, password: 'wrong' },
    });
  }
  const signInFrom = async (page: Page) =>
    (
      await page.request.post(`${server.url}/api/session`, {
        headers: { Origin: server.url, 'Content-Type': 'application/json' },
        data: { username: user, password: `${user}_secret` },
      })
    ).status();
  expect(await signInFrom(a)).toBe(429);
  expect(await signInFrom(b)).toBe(201);
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

test('a stale 401 for the old cookie, arriving after a new sign-in in another tab, ends nothing new', async ({
  context,
  startServer,
}) => {
  const server = await startServer({ env: { IDLE_TIMEOUT: '60s', IDLE_WARNING: '30s' } });
  const user = uniqueUser('stale');
  const a = await context.newPage();
  await signIn(a, user, { from: `${server.url}/login?next=%2Faccount`, expectPath: '/account' });
  // Tab A's next heartbeat, for the old session, is held in flight and answered 401 once tab B has
  // signed in again. The route is in place before the cookie goes: a heartbeat A sent between the
  // two would reach the server, get its real 401 and sign A out, and nothing would ever be held
  // (CI, Node 24, once; 1 run in 4 here).
  let release: () => void = () => {};
  let heard: () => void = () => {};
  const held = new Promise<void>((resolve) => (heard = resolve));
  await a.route('**/api/session/heartbeat', async (route) => {
    heard();
    await new Promise<void>((done) => (release = done));
    await route.fulfill({
      status: 401,
      contentType: 'application/json',
      body: JSON.stringify({
        error: 'unauthenticated',
        message: 'You are not signed in, or your session has ended.',
      }),
    });
  });
  // The cookie is lost (the old session as good as gone); tab B starts signed out, tab A does not know yet.
  await context.clearCookies();
  const b = await context.newPage();
  await b.goto(`${server.url}/login`);
  await expect(b.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  const working = keepActive([a], 12_000);
  await held;

  // Meanwhile tab B signs in again: a new session, and the browser's cookie is now its.
  await submitLogin(b, user);
  await expect(b).toHaveURL(pathIs('/'));
  const current = await context.request.get(`${server.url}/api/session`);
  const newId = ((await current.json()) as SessionResponse).session.id;

  const signOuts: string[] = [];
  a.on('request', (request) => {
    const url = new URL(request.url());
    if (request.method() === 'DELETE' && url.pathname === '/api/session') signOuts.push(url.search);
  });
  release();
  await working;

  // The new session lives, and both tabs are signed in with it.
  const after = await context.request.get(`${server.url}/api/session`);
  expect(after.status()).toBe(200);
  expect(((await after.json()) as SessionResponse).session.id).toBe(newId);
  for (const tab of [a, b]) await expect(signedInAs(tab)).toContainText(user);
  expect(signOuts.every((search) => search.startsWith('?id='))).toBe(true);
});

test(
  "an automatic sign-out's answer arriving after another user's sign-in in a new tab leaves the new cookie",
  calm,
  async ({ context, calmServer: { url } }) => {
    // Bob's tab learns his session was ended elsewhere and signs out on its own (`?id=`), with his
    // cookie. That request reaches the server at once; its answer is held until Alice has signed in
    // in a new tab, as on a loaded machine (the draft model-based test found it: decision 031).
    const bob = uniqueUser('bob');
    const alice = uniqueUser('alice');
    const a = await context.newPage();
    await signIn(a, bob, { from: `${url}/login` });
    const bobsSession = ((await (await context.request.get(`${url}/api/session`)).json()) as SessionResponse).session
      .id;

    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const answered = new Promise<{ status: number; setCookie: string | null }>((resolve) => {
      void context.route(
        (address) => address.pathname === '/api/session' && address.searchParams.has('id'),
        async (route) => {
          // Sent now, with the browser's cookie (still Bob's); answered to the page only later.
          const cookie = (await context.cookies(url)).map(({ name, value }) => `${name}=${value}`).join('; ');
          const response = await fetch(route.request().url(), {
            method: 'DELETE',
            headers: { Cookie: cookie, Origin: url },
          });
          await released;
          const headers = Object.fromEntries(response.headers);
          await route.fulfill({ status: response.status, headers });
          resolve({ status: response.status, setCookie: response.headers.get('Set-Cookie') });
        },
      );
    });
    const signOutSent = a.waitForRequest((request) => new URL(request.url()).searchParams.get('id') === bobsSession);

    const device = await context.browser()!.newContext();
    try {
      const other = await device.request.post(`${url}/api/session`, {
        data: { username: bob, password: passwordFor(bob) },
        headers: { Origin: url },
      });
      expect(other.status()).toBe(201);
      expect(
        (await device.request.delete(`${url}/api/sessions/${bobsSession}`, { headers: { Origin: url } })).status(),
      ).toBe(204);
    } finally {
      await device.close();
    }
    await a.evaluate(() => window.dispatchEvent(new Event('focus')));
    await signOutSent;

    const b = await context.newPage();
    await signIn(b, alice, { from: `${url}/login` });
    release();
    const late = await answered;
    expect(late.status).toBe(204);

    // Alice's session is the browser's, and stays so across a reload.
    const current = await context.request.get(`${url}/api/session`);
    expect(current.status()).toBe(200);
    expect(((await current.json()) as SessionResponse).user.username).toBe(alice);
    await b.reload();
    await expect(signedInAs(b)).toContainText(alice);
    await expect(b).toHaveURL(pathIs('/'));
    expect(late.setCookie).toBeNull();
  },
);
