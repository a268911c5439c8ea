import type { Page, PlaywrightWorkerArgs } from '@playwright/test';
import { sharedTimings } from './global-setup';
import { expect, test } from './support/fixtures';
import {
  countdownSeconds,
  expectBackShowsNothingProtected,
  keepActive,
  noteText,
  pathIs,
  recordWarnings,
  serverSession,
  signedInAs,
  signIn,
  signInRequestTime,
  submitLogin,
  uniqueUser,
  waitForServerTime,
  warningDialog,
  warningsOpened,
  warningTimes,
} from './support/app';

const { idleTimeoutMs, warningMs } = sharedTimings;
/** Invariant 3 ([docs/design.md#invariants](../../docs/design.md#invariants)): warned and signed out on time, each within 1 s. */
const toleranceMs = 1_000;

test.describe('an idle user', () => {
  test('is warned with a countdown, signed out on time, and comes back to the page they were on', async ({ page }) => {
    await recordWarnings(page);
    const signedInAt = signInRequestTime(page);
    const username = await signIn(page, uniqueUser('idle'), { from: '/login?next=%2Faccount', expectPath: '/account' });
    await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
    // From here on, no input at all: the sign-in was the last activity.

    const dialog = warningDialog(page);
    await expect(dialog).toBeVisible({ timeout: idleTimeoutMs });
    await expect(dialog.getByRole('button', { name: 'Stay signed in' })).toBeFocused();
    await expect(dialog.getByRole('button', { name: 'Sign out' })).toBeVisible();
    const first = await countdownSeconds(page);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(warningMs / 1000);
    // The countdown goes down: a second, lower value.
    await expect.poll(() => countdownSeconds(page), { timeout: 3_000 }).toBeLessThan(first);

    await expect(page).toHaveURL(/\/login\?reason=idle&next=%2Faccount$/, { timeout: idleTimeoutMs });
    const signedOutAt = Date.now();
    await expect(page.getByRole('status').filter({ hasText: 'inactivity' })).toHaveText(
      'You were signed out after 8 seconds of inactivity. Sign in again to continue where you were.',
    );
    await expect(signedInAs(page)).toHaveCount(0);

    // On time (invariant 3): the warning at idle - warning, the sign-out at idle, after the last activity.
    const [openedAt] = await warningTimes(page);
    expect(openedAt - signedInAt()).toBeGreaterThanOrEqual(idleTimeoutMs - warningMs - toleranceMs);
    expect(openedAt - signedInAt()).toBeLessThanOrEqual(idleTimeoutMs - warningMs + toleranceMs);
    // toHaveURL polls, so the moment seen here can be late by its polling interval; never early.
    expect(signedOutAt - signedInAt()).toBeGreaterThanOrEqual(idleTimeoutMs - toleranceMs);
    expect(signedOutAt - signedInAt()).toBeLessThanOrEqual(idleTimeoutMs + toleranceMs + 1_000);
    expect(await warningsOpened(page)).toBe(1);

    // The server session is gone too.
    expect((await page.request.get('/api/session')).status()).toBe(401);

    // Signing in again returns to the page they were on.
    await submitLogin(page, username);
    await expect(page).toHaveURL(pathIs('/account'));
    await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
  });

  test('who chooses Stay signed in keeps the server session past the original deadline', async ({ page }) => {
    await signIn(page, uniqueUser('stay'));
    const dialog = warningDialog(page);
    await expect(dialog).toBeVisible({ timeout: idleTimeoutMs });

    // The server's own deadline, as it stands before the answer (serverSession checks the 200).
    const before = await serverSession(page);

    const heartbeat = page.waitForResponse((response) => response.url().endsWith('/api/session/heartbeat'));
    await dialog.getByRole('button', { name: 'Stay signed in' }).click();
    await expect(dialog).toBeHidden();
    expect((await heartbeat).status()).toBe(200);

    // Past the original deadline (plus a margin) by the server's own clock, the session is still alive on the server.
    await waitForServerTime(page, before, before.idleExpiresInMs + toleranceMs, idleTimeoutMs);
    const after = await page.request.get('/api/session');
    expect(after.status()).toBe(200);
    expect((await after.json()).session.idleExpiresInMs).toBeGreaterThan(0);
    await expect(page).toHaveURL(pathIs('/'));
    await expect(signedInAs(page)).toBeVisible();
  });

  test('who presses Escape stays signed in too', async ({ page }) => {
    await signIn(page, uniqueUser('escape'));
    const dialog = warningDialog(page);
    await expect(dialog).toBeVisible({ timeout: idleTimeoutMs });
    const before = await serverSession(page);

    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await waitForServerTime(page, before, before.idleExpiresInMs + toleranceMs, idleTimeoutMs);
    expect((await page.request.get('/api/session')).status()).toBe(200);
    await expect(signedInAs(page)).toBeVisible();
  });

  test('who chooses Sign out in the warning is signed out at once', async ({ page }) => {
    await signIn(page, uniqueUser('warn-out'));
    const dialog = warningDialog(page);
    await expect(dialog).toBeVisible({ timeout: idleTimeoutMs });
    await dialog.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login\?reason=signed-out$/);
    expect((await page.request.get('/api/session')).status()).toBe(401);
  });
});

test('a user who keeps moving the mouse or typing for three idle periods is never warned', async ({ page }) => {
  await recordWarnings(page);
  await signIn(page, uniqueUser('busy'), { from: '/login?next=/notes', expectPath: '/notes' });
  const dialog = warningDialog(page);
  const notWarned = async () => expect(dialog).toBeHidden({ timeout: 1 });

  // 24 s: half of it with the mouse, half typing into the Notes page's Text field.
  const period = (3 * idleTimeoutMs) / 2;
  await keepActive([page], period, { kind: 'mouse', each: notWarned });
  await keepActive([page], period, { kind: 'keyboard', each: notWarned });

  expect(await warningsOpened(page)).toBe(0);
  await expect(page).toHaveURL(pathIs('/notes'));
  await expect(page.getByRole('heading', { name: 'Notes', level: 1 })).toBeVisible();
  await expect(noteText(page)).not.toHaveValue('');
  const session = await page.request.get('/api/session');
  expect(session.status()).toBe(200);
  // The heartbeats kept the server's deadline close to a full idle period ahead.
  expect((await session.json()).session.idleExpiresInMs).toBeGreaterThan(idleTimeoutMs - warningMs);
});

test.describe('a copied session cookie is useless after sign-out', () => {
  async function copiedCookie(page: Page) {
    const cookies = await page.context().cookies();
    // The session cookie, not the device token (`did`), which outlives sign-out by design.
    const session = cookies.find((cookie) => /^(__Host-)?sid$/.test(cookie.name));
    expect(session, `a session cookie among ${cookies.map((cookie) => cookie.name).join(', ')}`).toBeDefined();
    return `${session!.name}=${session!.value}`;
  }

  async function replay(playwright: PlaywrightWorkerArgs['playwright'], baseURL: string, cookie: string) {
    const outsider = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Cookie: cookie } });
    try {
      return {
        session: (await outsider.get('/api/session')).status(),
        hello: (await outsider.get('/api/hello')).status(),
        // Whoever copied the cookie can send the right Origin too: only the session can refuse it.
        heartbeat: (
          await outsider.post('/api/session/heartbeat', { data: {}, headers: { Origin: new URL(baseURL).origin } })
        ).status(),
      };
    } finally {
      await outsider.dispose();
    }
  }

  test('after the idle sign-out', async ({ page, playwright, baseURL }) => {
    await signIn(page, uniqueUser('copy'));
    const cookie = await copiedCookie(page);
    // The copy works while the session lives (GET does not extend it).
    const live = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Cookie: cookie } });
    expect((await live.get('/api/hello')).status()).toBe(200);
    await live.dispose();

    await expect(page).toHaveURL(/\/login\?reason=idle/, { timeout: idleTimeoutMs + toleranceMs * 3 });
    expect(await replay(playwright, baseURL!, cookie)).toEqual({ session: 401, hello: 401, heartbeat: 401 });
  });

  test('after Sign out, long before the idle deadline', async ({ page, playwright, baseURL }) => {
    await signIn(page, uniqueUser('copy-out'));
    const cookie = await copiedCookie(page);
    const signOut = page.waitForResponse(
      (response) => response.url().endsWith('/api/session') && response.request().method() === 'DELETE',
    );
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    expect((await signOut).status()).toBe(204);
    expect(await replay(playwright, baseURL!, cookie)).toEqual({ session: 401, hello: 401, heartbeat: 401 });
  });
});

test.describe('a clock that jumps past the deadline (a laptop that slept)', () => {
  test('with timers firing late: the signed-out state at once, never a stale countdown', async ({ page }) => {
    await page.clock.install();
    await recordWarnings(page);
    await signIn(page, uniqueUser('sleep'));
    await expect(page.getByRole('heading', { name: 'Hello World!' })).toBeVisible();

    // The lid closes for 20 s; on waking, the due timers fire once.
    await page.clock.fastForward(idleTimeoutMs + 12_000);
    await expect(page).toHaveURL(/\/login\?reason=idle$/, { timeout: toleranceMs });
    await expect(page.getByRole('status').filter({ hasText: 'inactivity' })).toBeVisible();
    expect(await warningsOpened(page)).toBe(0);
    // The page's sign-out deletes the session on the server (real time has not run it out): its
    // request may still be on its way as the page shows the login page.
    await expect.poll(async () => (await page.request.get('/api/session')).status()).toBe(401);
  });

  test('with no timer firing at all: the wake-up events alone end it at once', async ({ page }) => {
    await page.clock.install();
    await recordWarnings(page);
    await signIn(page, uniqueUser('sleep-2'));
    await expect(page.getByRole('heading', { name: 'Hello World!' })).toBeVisible();

    // The system time moves on without any timer firing (the page's wake timer is still seconds
    // away in the page's own timer queue); the browser then tells the page it is visible again.
    const pageNow = await page.evaluate(() => Date.now());
    await page.clock.setSystemTime(pageNow + idleTimeoutMs + 12_000);
    await page.evaluate(() => {
      document.dispatchEvent(new Event('visibilitychange'));
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: false }));
    });
    await expect(page).toHaveURL(/\/login\?reason=idle$/, { timeout: toleranceMs });
    expect(await warningsOpened(page)).toBe(0);
    // The page's sign-out deletes the session on the server (real time has not run it out): its
    // request may still be on its way as the page shows the login page.
    await expect.poll(async () => (await page.request.get('/api/session')).status()).toBe(401);
  });
});

test.describe('Back after an idle sign-out', () => {
  test('shows no protected content', async ({ page, startServer }) => {
    // Its own server, warning 7 s after the last input (the shared one: 3 s): the click on Account
    // after the sign-in must not meet the warning, which on a loaded machine (load 20) it did.
    const idleMs = 10_000;
    const server = await startServer({ env: { IDLE_TIMEOUT: `${idleMs}ms`, IDLE_WARNING: '3s' } });
    await signIn(page, uniqueUser('idle-back'), { from: `${server.url}/login` });
    await page.getByRole('link', { name: 'Account' }).click();
    await expect(page).toHaveURL(pathIs('/account'));
    await expect(page).toHaveURL(/\/login\?reason=idle/, { timeout: idleMs + toleranceMs * 3 });

    await expectBackShowsNothingProtected(page);
  });
});
