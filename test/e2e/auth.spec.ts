import type { Page } from '@playwright/test';
import { calm, expect, test } from './support/fixtures';
import { expectBackShowsNothingProtected, pathIs, signedInAs, signIn, submitLogin, uniqueUser } from './support/app';

// Nothing here is about time: the calm shared server, where no warning opens (3 s after the last
// input on the shared one) to take a click meant for the page, and page loads in a row without
// input never run into a sign-out.
test.use({ baseURL: async ({ calmServer }, use) => use(calmServer.url) });

test.describe('signing in and out', calm, () => {
  test('sign in, see Hello World!, sign out', async ({ page }) => {
    const username = await signIn(page);
    await expect(page.getByRole('heading', { level: 1, name: 'Hello World!' })).toBeVisible();
    await expect(page.getByRole('banner')).toContainText(`Signed in as ${username}`);

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login\?reason=signed-out$/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'You have signed out.' })).toBeVisible();
    // The server ended the session too: the same browser is no longer signed in.
    expect((await page.request.get('/api/session')).status()).toBe(401);
  });

  test('a wrong password says Login failed and signs nobody in', async ({ page }) => {
    const username = uniqueUser('wrong');
    await page.goto('/login');
    const answer = page.waitForResponse(
      (response) => response.url().endsWith('/api/session') && response.request().method() === 'POST',
    );
    await submitLogin(page, username, 'not-the-password');
    expect((await answer).status()).toBe(401);

    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Login failed');
    await expect(alert).toContainText('The username or password is wrong.');
    await expect(page).toHaveURL(pathIs('/login'));
    await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
    expect((await page.request.get('/api/session')).status()).toBe(401);
  });

  test('an unauthenticated visit goes to /login and comes back after sign-in', async ({ page }) => {
    await page.goto('/account');
    await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
    await submitLogin(page, uniqueUser());
    await expect(page).toHaveURL(pathIs('/account'));
    await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
  });
});

test.describe('what comes after the sign-in page (decision 019)', calm, () => {
  const preloadEvents = ['keydown', 'pointerdown', 'touchstart'];

  test('loads at the first key there; then no page listens for it again', async ({ page }) => {
    // The window's capture listeners for the preload's events, as the page adds and removes them.
    await page.addInitScript((types: string[]) => {
      const live = new Map(types.map((type) => [type, new Set<unknown>()]));
      const captures = (options?: boolean | AddEventListenerOptions | EventListenerOptions) =>
        options === true || (typeof options === 'object' && options.capture === true);
      const { addEventListener, removeEventListener } = window;
      window.addEventListener = function (this: Window, ...args: Parameters<Window['addEventListener']>) {
        if (captures(args[2])) live.get(args[0])?.add(args[1]);
        return addEventListener.apply(this, args);
      } as Window['addEventListener'];
      window.removeEventListener = function (this: Window, ...args: Parameters<Window['removeEventListener']>) {
        if (captures(args[2])) live.get(args[0])?.delete(args[1]);
        return removeEventListener.apply(this, args);
      } as Window['removeEventListener'];
      Object.assign(window, { preloadListeners: () => [...live].map(([type, set]) => `${type} ${set.size}`) });
    }, preloadEvents);
    const listening = () =>
      page.evaluate(() => (window as unknown as { preloadListeners(): string[] }).preloadListeners());
    const none = preloadEvents.map((type) => `${type} 0`);
    const chunks: string[] = [];
    page.on('request', (request) => {
      const name = /\/assets\/(routed-app|signed-in)-[^/]*\.js$/.exec(new URL(request.url()).pathname)?.[1];
      if (name) chunks.push(name);
    });

    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(chunks).toEqual([]);
    expect(await listening()).toEqual(preloadEvents.map((type) => `${type} 1`));

    const username = uniqueUser();
    await page.getByLabel('Username').press('x');
    await expect.poll(() => [...chunks].sort()).toEqual(['routed-app', 'signed-in']);
    expect(await listening()).toEqual(none);

    await submitLogin(page, username);
    await expect(signedInAs(page)).toContainText(username);
    expect(await listening()).toEqual(none);

    // Signed out from another tab, with no key or press here: the sign-in page is now the
    // router's, and what it would preload is here already.
    const other = await page.context().newPage();
    await other.goto('/');
    await other.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(await listening()).toEqual(none);
  });
});

test.describe('Back after sign-out shows no protected content', calm, () => {
  test('within the app (one document)', async ({ page }) => {
    await signIn(page);
    await page.getByRole('link', { name: 'Account' }).click();
    await expect(page).toHaveURL(pathIs('/account'));
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(pathIs('/login'));

    await expectBackShowsNothingProtected(page);
  });

  test('across page loads (the back/forward cache must not restore a signed-in page)', async ({ page }) => {
    // About the cache, not timing: on the calm server three page loads in a row without input
    // cannot meet a warning.
    await signIn(page, uniqueUser('bfcache'));
    // Two full page loads, so Back leaves the current document.
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Hello World!' })).toBeVisible();
    await page.goto('/account');
    await expect(page.getByRole('heading', { name: 'Your account' })).toBeVisible();
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(pathIs('/login'));

    await expectBackShowsNothingProtected(page);
  });
});

test.describe('next stays on this origin', calm, () => {
  /** Fails the test if the page ever asks for another host (a redirect would). */
  function forbidOtherHosts(page: Page, baseURL: string) {
    const visited: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).host !== new URL(baseURL).host) visited.push(request.url());
    });
    return () => expect(visited, 'requests to another host').toEqual([]);
  }

  const attempts = [
    '//evil.example',
    '/\\evil.example',
    'https://evil.example',
    '///evil.example',
    'javascript:alert(document.domain)',
  ];

  for (const next of attempts) {
    test(`next=${next} after sign-in`, async ({ page, baseURL }) => {
      const noOtherHost = forbidOtherHosts(page, baseURL!);
      await page.goto(`/login?next=${encodeURIComponent(next)}`);
      await submitLogin(page, uniqueUser('next'));
      await expect(signedInAs(page)).toBeVisible();
      await expect(page).toHaveURL(pathIs('/'));
      expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
      noOtherHost();
    });
  }

  test("next=//evil.example typed unencoded, as in an attacker's link", async ({ page, baseURL }) => {
    const noOtherHost = forbidOtherHosts(page, baseURL!);
    await page.goto('/login?next=//evil.example');
    await submitLogin(page, uniqueUser('next'));
    await expect(signedInAs(page)).toBeVisible();
    await expect(page).toHaveURL(pathIs('/'));
    noOtherHost();
  });

  test('next=... on the login page when already signed in', async ({ page, baseURL }) => {
    const noOtherHost = forbidOtherHosts(page, baseURL!);
    await signIn(page);
    for (const next of attempts.slice(0, 3)) {
      await page.goto(`/login?next=${encodeURIComponent(next)}`);
      await expect(signedInAs(page)).toBeVisible();
      await expect(page).toHaveURL(pathIs('/'));
      expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
    }
    noOtherHost();
  });
});
