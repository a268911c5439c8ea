import type { Page } from '@playwright/test';
import { calm, expect, test } from './support/fixtures';
import { pathIs, signedInAs, signIn, submitLogin, uniqueUser, warningDialog } from './support/app';
import {
  announcements,
  countdownToSeconds,
  dialogButtons,
  expectInsideViewport,
  expectNoAxeViolations,
  expectNoHorizontalScroll,
  focusedElement,
  pressUntilFocused,
  recordAnnouncements,
  signInWithKeyboard,
  spokenFor,
} from './a11y-support';

/**
 * Accessibility (WCAG 2.2 AA), in Chromium: axe-core on every page and state, the whole flow
 * with the keyboard alone, the live region's steps (decision 003), Stay signed in again and
 * again, titles and headings, reflow at 320 CSS px, reduced motion and forced colours.
 *
 * Timings: the shared server warns 3 s after the last activity for 5 s. Tests that need no
 * warning at all use the calm shared server (`calmServer`: none for ten minutes, pages as they
 * are, unhurried); tests that need the warning open longer start their own server with these:
 */
/** The calm server's timings, for a server of a test's own that needs one more setting. */
const calmSession = { IDLE_TIMEOUT: '10m', IDLE_WARNING: '30s' };
/** The default 30 s warning, opening 5 s after the last activity (on the page's clock: `warningOpensNow`). */
const fullWarning = { IDLE_TIMEOUT: '35s', IDLE_WARNING: '30s' };
/** A 10 s warning 5 s after the last activity: keyboard answers, and a deadline worth waiting for. */
const keyboardWarning = { IDLE_TIMEOUT: '15s', IDLE_WARNING: '10s' };
const fullWarningMs = { idleTimeoutMs: 35_000, warningMs: 30_000 };
const keyboardWarningMs = { idleTimeoutMs: 15_000, warningMs: 10_000 };

/** How long after the last activity a warning is awaited: the idle part plus a margin. */
const opensWithin = ({ idleTimeoutMs, warningMs }: { idleTimeoutMs: number; warningMs: number }) =>
  idleTimeoutMs - warningMs + 2_000;

/**
 * For tests about the open warning rather than when it opens: with Playwright's clock installed
 * in the page (before it loads), moves the page's clock past the idle part of `fullWarning` at
 * once. The warning and its countdown are the page's own; the server's session (35 s) lives on.
 */
async function warningOpensNow(page: Page) {
  await page.clock.runFor(fullWarningMs.idleTimeoutMs - fullWarningMs.warningMs);
  await expect(warningDialog(page)).toBeVisible();
}

const h1 = (page: Page) => page.getByRole('heading', { level: 1 });

/** GET /api/session from the page's browser context (does not extend the session). */
async function serverSession(page: Page, origin = '') {
  const response = await page.request.get(`${origin}/api/session`);
  const body = response.ok() ? await response.json() : undefined;
  return { status: response.status(), idleExpiresInMs: body?.session?.idleExpiresInMs as number | undefined };
}

const heartbeatAnswered = (page: Page) =>
  page.waitForResponse(
    (response) =>
      new URL(response.url()).pathname === '/api/session/heartbeat' && response.request().method() === 'POST',
  );

test.describe('axe-core finds no WCAG 2.2 AA violations', calm, () => {
  test('on the login page', async ({ page }) => {
    await page.goto('/login');
    await expect(h1(page)).toHaveText('Sign in');
    await expect(page.locator('.timeout-policy')).toBeVisible();
    await expectNoAxeViolations(page, '/login');
  });

  test('on the login page after a failed sign-in (Login failed)', async ({ page }) => {
    await page.goto('/login');
    await submitLogin(page, uniqueUser('a11y-wrong'), 'not-the-password');
    await expect(page.getByRole('alert')).toContainText('Login failed');
    await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
    await expectNoAxeViolations(page, '/login with "Login failed"');
  });

  for (const reason of ['idle', 'expired', 'signed-out', 'other-tab', 'absolute']) {
    test(`on the login page after a sign-out: reason=${reason}`, async ({ page }) => {
      await page.goto(`/login?reason=${reason}`);
      await expect(h1(page)).toHaveText('Sign in');
      await expect(page.locator('.notice-reason')).toBeVisible();
      await expect(page.locator('.timeout-policy')).toBeVisible();
      await expectNoAxeViolations(page, `/login?reason=${reason}`);
    });
  }

  test('on the home page', async ({ page, calmServer: server }) => {
    await signIn(page, uniqueUser('a11y-home'), { from: `${server.url}/login` });
    await expect(h1(page)).toHaveText('Hello World!');
    await expectNoAxeViolations(page, '/');
  });

  test('on the account page', async ({ page, calmServer: server }) => {
    await signIn(page, uniqueUser('a11y-account'), {
      from: `${server.url}/login?next=%2Faccount`,
      expectPath: '/account',
    });
    await expect(h1(page)).toHaveText('Your account');
    await expectNoAxeViolations(page, '/account');
  });

  test('on the account page with two sessions listed', async ({ page, browser, calmServer: server }) => {
    const username = uniqueUser('a11y-sessions');
    const other = await browser.newContext();
    await signIn(await other.newPage(), username, { from: `${server.url}/login` });
    await signIn(page, username, { from: `${server.url}/login?next=%2Faccount`, expectPath: '/account' });
    const list = page.getByRole('region', { name: 'Where you are signed in' });
    await expect(list.getByRole('listitem')).toHaveCount(2);
    await expect(list.getByRole('button', { name: 'Sign out everywhere else' })).toBeVisible();
    await expectNoAxeViolations(page, '/account (two sessions)');
    await other.close();
  });

  test('on the account page with the password dialog open, and with its error', async ({
    page,
    browser,
    startServer,
  }) => {
    const server = await startServer({ env: { ...calmSession, REAUTH_WINDOW: '2s' } });
    const username = uniqueUser('a11y-reauth');
    const other = await browser.newContext();
    await signIn(await other.newPage(), username, { from: `${server.url}/login` });
    await signIn(page, username, { from: `${server.url}/login?next=%2Faccount`, expectPath: '/account' });
    const list = page.getByRole('region', { name: 'Where you are signed in' });
    // Until the sign-in is not recent: a DELETE of no session answers 401 reauth_required, not 404.
    await expect
      .poll(
        async () =>
          (
            await page.request.delete(`${server.url}/api/sessions/AAAAAAAAAAAAAAAAAAAAAA`, {
              headers: { Origin: server.url },
            })
          ).status(),
        { timeout: 15_000, intervals: [250] },
      )
      .toBe(401);

    await list.getByRole('button', { name: 'Sign out everywhere else' }).click();
    const dialog = page.getByRole('dialog', { name: 'Enter your password again' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel('Password')).toBeFocused();
    await expectNoAxeViolations(page, '/account (password dialog)');
    await page.keyboard.press('Enter');
    await expect(dialog.getByRole('alert')).toHaveText('Enter your password.');
    await expectNoAxeViolations(page, '/account (password dialog with an error)');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(list.getByRole('status')).toHaveText('Nothing was changed.');
    await other.close();
  });

  test('on the Notes page with a restored draft, then with the sign-out question open', async ({
    page,
    calmServer: server,
  }) => {
    await signIn(page, uniqueUser('a11y-notes'), { from: `${server.url}/login?next=%2Fnotes`, expectPath: '/notes' });
    await page.getByLabel('Text', { exact: true }).fill('An unsaved thought');
    await expect(page.getByText('Draft saved on the server')).toBeVisible();
    await page.reload();
    await expect(page.getByRole('button', { name: 'Discard draft' })).toBeVisible();
    await expectNoAxeViolations(page, '/notes with a restored draft');

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    const question = page.getByRole('alertdialog', { name: 'Keep your unsaved note?' });
    await expect(question).toBeVisible();
    await expect(question.getByRole('button', { name: 'Keep draft and sign out' })).toBeFocused();
    await expectNoAxeViolations(page, '/notes with the sign-out question open');
  });

  test('on the Notes page with the conflict message', async ({ context, calmServer: server }) => {
    const first = await context.newPage();
    await signIn(first, uniqueUser('a11y-conflict'), {
      from: `${server.url}/login?next=%2Fnotes`,
      expectPath: '/notes',
    });
    await first.getByLabel('Title', { exact: true }).fill('Shared');
    await first.getByRole('button', { name: 'Save' }).click();
    const second = await context.newPage();
    await second.goto(`${server.url}/notes`);
    await second.getByRole('button', { name: 'Open Shared' }).click();
    await first.getByLabel('Text', { exact: true }).fill('first');
    await first.getByRole('button', { name: 'Save' }).click();
    await expect(first.getByRole('status').filter({ hasText: 'Saved “Shared”' })).toBeAttached();
    await second.getByLabel('Text', { exact: true }).fill('second');
    await second.getByRole('button', { name: 'Save' }).click();
    await expect(second.getByRole('alert').filter({ hasText: 'changed in another tab' })).toBeVisible();
    await expectNoAxeViolations(second, '/notes with the conflict message');
  });

  test('on the home page with the warning open', async ({ page, startServer }) => {
    const server = await startServer({ env: fullWarning });
    await page.clock.install();
    await signIn(page, uniqueUser('a11y-warn'), { from: `${server.url}/login` });
    await warningOpensNow(page);
    await expectNoAxeViolations(page, '/ with the warning open');
    // Still the warning that was analysed, not a page after the sign-out.
    await expect(warningDialog(page)).toBeVisible();
  });
});

test.describe('with the keyboard alone', () => {
  test('sign in, go to Account, answer the warning with Enter, then with Escape (twice in a row)', async ({
    page,
    startServer,
  }) => {
    const server = await startServer({ env: keyboardWarning });
    const username = uniqueUser('a11y-keys');
    await signInWithKeyboard(page, username, { origin: server.url });

    await test.step('after sign-in (a route change), the focus is on the page heading', async () => {
      await expect(h1(page)).toHaveText('Hello World!');
      // Soft, and short: the focus moves with the page or not at all, and the warning is 5 s away.
      await expect
        .soft(h1(page), `focus after sign-in is on: ${await focusedElement(page)}`)
        .toBeFocused({ timeout: 1_000 });
    });

    await test.step('Account through the nav link, with Shift+Tab and Enter; focus on its h1', async () => {
      const account = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' });
      await pressUntilFocused(page, 'Shift+Tab', account);
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(pathIs('/account'));
      await expect(h1(page)).toHaveText('Your account');
      await expect(h1(page), `focus after the route change is on: ${await focusedElement(page)}`).toBeFocused();
    });

    const dialog = warningDialog(page);
    const { stay } = dialogButtons(page);

    await test.step('(a) Enter on Stay signed in (focused when the warning opens); focus returns to the h1', async () => {
      await expect(dialog).toBeVisible({ timeout: opensWithin(keyboardWarningMs) });
      await expect(stay, `focus when the warning opened: ${await focusedElement(page)}`).toBeFocused();
      const heartbeat = heartbeatAnswered(page);
      await page.keyboard.press('Enter');
      await expect(dialog).toBeHidden();
      expect((await heartbeat).status()).toBe(200);
      await expect(h1(page), `focus after the warning closed: ${await focusedElement(page)}`).toBeFocused();
      await expect(page).toHaveURL(pathIs('/account'));
    });

    await test.step('(b) Escape means stay: the dialog closes and the server session outlives its old deadline', async () => {
      await expect(dialog).toBeVisible({ timeout: opensWithin(keyboardWarningMs) });
      await expect(stay).toBeFocused();
      const askedAt = Date.now();
      const before = await serverSession(page, server.url);
      expect(before.status).toBe(200);
      const originalDeadline = askedAt + before.idleExpiresInMs!;

      const heartbeat = heartbeatAnswered(page);
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
      expect((await heartbeat).status()).toBe(200);
      await expect(h1(page), `focus after Escape: ${await focusedElement(page)}`).toBeFocused();

      await expect
        .poll(() => Date.now(), { timeout: keyboardWarningMs.warningMs + 2_000 })
        .toBeGreaterThan(originalDeadline + 1_000);
      const after = await serverSession(page, server.url);
      expect(after.status, 'GET /api/session after the original deadline').toBe(200);
      await expect(page).toHaveURL(pathIs('/account'));
    });

    await test.step('Escape again at the next warning, with no other input since the last Escape', async () => {
      // Escape is no user activation; Chromium's close watcher may close a modal dialog without
      // a `cancel` event then. Escape must still mean "stay", every time.
      await expect(dialog).toBeVisible({ timeout: opensWithin(keyboardWarningMs) });
      await expect(stay).toBeFocused();
      const heartbeat = heartbeatAnswered(page);
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
      const answered = await heartbeat.catch(() => undefined);
      expect(answered?.status(), 'a heartbeat answered after the second Escape (the session extended)').toBe(200);
      const after = await serverSession(page, server.url);
      expect(after.status).toBe(200);
      expect(after.idleExpiresInMs, 'the server deadline is a full idle period ahead again').toBeGreaterThan(
        keyboardWarningMs.idleTimeoutMs - 2_000,
      );
      await expect(signedInAs(page)).toContainText(username);
    });
  });

  test(
    'inside the warning: Tab and Shift+Tab wrap, the page behind is inert; (c) Sign out with Tab and Enter',
    calm,
    async ({ page, startServer }) => {
      const server = await startServer({ env: fullWarning });
      await page.clock.install();
      await signInWithKeyboard(page, uniqueUser('a11y-trap'), { origin: server.url });
      const dialog = warningDialog(page);
      const { stay, signOut } = dialogButtons(page);
      const headerSignOut = page.getByRole('banner').getByRole('button', { name: 'Sign out' });
      await warningOpensNow(page);
      await expect(stay).toBeFocused();

      await test.step('Tab and Shift+Tab wrap between the two buttons', async () => {
        const steps: [key: 'Tab' | 'Shift+Tab', expected: typeof stay][] = [
          ['Tab', signOut],
          ['Tab', stay],
          ['Shift+Tab', signOut],
          ['Shift+Tab', stay],
          ['Shift+Tab', signOut],
        ];
        for (const [key, expected] of steps) {
          await page.keyboard.press(key);
          await expect(expected, `after ${key}, the focus is on: ${await focusedElement(page)}`).toBeFocused();
        }
        // Many more: the focus never leaves the dialog.
        const visited: string[] = [];
        for (let i = 0; i < 8; i++) {
          await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
          visited.push(await focusedElement(page));
        }
        expect(
          visited.filter((place) => !place.endsWith('in dialog')),
          `the focus went: ${visited.join(' -> ')}`,
        ).toEqual([]);
      });

      await test.step('the page behind is inert: not focusable, not clickable', async () => {
        expect(await dialog.evaluate((element) => element.matches(':modal')), 'the dialog is modal (showModal)').toBe(
          true,
        );
        const focusTaken = await headerSignOut.evaluate((button: HTMLElement) => {
          button.focus();
          return document.activeElement === button;
        });
        expect(focusTaken, 'the header Sign out button takes the focus while the warning is open').toBe(false);
        const hit = await headerSignOut.evaluate((button) => {
          const box = button.getBoundingClientRect();
          const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
          return top === button || button.contains(top);
        });
        expect(hit, 'a click on the header Sign out button reaches it while the warning is open').toBe(false);
        await expect(dialog).toBeVisible();
      });

      await test.step('(c) Tab to Sign out, Enter: signed out, the focus on the login page h1', async () => {
        // Focus where a person left it: the last step may have moved it; bring it to Sign out by Tab.
        await pressUntilFocused(page, 'Tab', signOut, 3);
        await page.keyboard.press('Enter');
        await expect(page).toHaveURL(/\/login\?reason=signed-out$/);
        await expect(h1(page)).toHaveText('Sign in');
        await expect(page.getByRole('status').filter({ hasText: 'You have signed out.' })).toBeVisible();
        // The login page's h1 (not the document start): focus follows the route change.
        await expect(h1(page), `focus on the login page is on: ${await focusedElement(page)}`).toBeFocused();
        // And from there the next Tab is the Username field.
        await page.keyboard.press('Tab');
        await expect(page.getByLabel('Username')).toBeFocused();
        expect((await serverSession(page, server.url)).status).toBe(401);
      });
    },
  );
});

test(
  'the live region speaks only at the documented steps: opening (30 s), 15, 10, 5',
  calm,
  async ({ page, startServer }) => {
    const server = await startServer({ env: fullWarning });
    // The countdown and its words are the page's own, on the page's clock: Playwright's clock runs
    // the 35 s in a few real seconds, every timer in turn, with a render between timers.
    await page.clock.install();
    await recordAnnouncements(page);
    await signIn(page, uniqueUser('a11y-live'), { from: `${server.url}/login` });
    const region = page.getByTestId('countdown-announcement');
    await expect(region).toHaveAttribute('aria-live', 'polite');
    await warningOpensNow(page);
    // The whole 30 s warning, unanswered, to the idle sign-out: a second at a time, each shown.
    for (let second = 0; second < fullWarningMs.warningMs / 1000; second++) await page.clock.runFor(1_000);
    await expect(page).toHaveURL(/\/login\?reason=idle/);

    const changes = (await announcements(page)).filter((change) => change.text !== '');
    const texts = changes.map((change) => change.text);
    const log = changes.map((change) => `${change.countdown} "${change.text}"`).join('\n');
    test.info().annotations.push({ type: 'live region changes', description: log });
    // Opening: 30 s (29 if the page was a second late opening it); then 15, 10 and 5.
    const opening = changes.length > 0 ? countdownToSeconds(changes[0].countdown) : NaN;
    expect([29, 30], `the countdown when the warning opened; changes:\n${log}`).toContain(opening);
    expect(texts, `every change of the live region:\n${log}`).toEqual([
      spokenFor(opening),
      spokenFor(15),
      spokenFor(10),
      spokenFor(5),
    ]);
    // Each change says what the visible countdown said at that moment.
    for (const change of changes) {
      expect(change.text, `the words match the visible ${change.countdown}`).toBe(
        spokenFor(countdownToSeconds(change.countdown)),
      );
    }
  },
);

test('Stay signed in works 10 times in a row, each time extending the server session', async ({
  page,
  startServer,
}) => {
  // Its own server, warning 2 s after the last answer (the shared server: 3 s): ten rounds wait
  // that long for each warning, and 2 s still leaves the closed dialog time to be seen hidden.
  const { idleTimeoutMs, warningMs } = { idleTimeoutMs: 7_000, warningMs: 5_000 };
  const server = await startServer({ env: { IDLE_TIMEOUT: `${idleTimeoutMs}ms`, IDLE_WARNING: `${warningMs}ms` } });
  await signIn(page, uniqueUser('a11y-stay10'), { from: `${server.url}/login` });
  const dialog = warningDialog(page);
  const { stay } = dialogButtons(page);
  for (let round = 1; round <= 10; round++) {
    await test.step(`round ${round}`, async () => {
      await expect(dialog).toBeVisible({ timeout: idleTimeoutMs - warningMs + 2_000 });
      await expect(stay).toBeFocused();
      const heartbeat = heartbeatAnswered(page);
      await page.keyboard.press('Enter');
      await expect(dialog).toBeHidden();
      expect((await heartbeat).status()).toBe(200);
      const session = await serverSession(page, server.url);
      expect(session.status).toBe(200);
      expect(session.idleExpiresInMs, `round ${round}: the server deadline after Stay signed in`).toBeGreaterThan(
        idleTimeoutMs - 1_000,
      );
    });
  }
  await expect(page).toHaveURL(pathIs('/'));
  await expect(signedInAs(page)).toBeVisible();
});

test(
  'each page has its own <title>, exactly one h1, and html lang="en"',
  calm,
  async ({ page, calmServer: server }) => {
    /** The title of index.html: what a page without a <title> of its own shows. */
    const appTitle = 'Idle Session';
    const titles: Record<string, string> = {};

    const check = async (name: string, heading: string) => {
      await expect(h1(page)).toHaveText(heading);
      await expect.soft(page.locator('h1'), `${name}: exactly one h1`).toHaveCount(1);
      await expect.soft(page.locator('html'), `${name}: html lang`).toHaveAttribute('lang', 'en');
      // A page-specific title replaces the app's own within a frame of the page showing.
      await expect
        .soft(page, `${name}: a title of its own (not just "${appTitle}"); it is "${await page.title()}"`)
        .not.toHaveTitle(appTitle, { timeout: 2_000 });
      const title = await page.title();
      expect.soft(title.trim(), `${name}: non-empty title`).not.toBe('');
      titles[name] = title;
    };

    await page.goto(`${server.url}/login`);
    await check('login', 'Sign in');
    await submitLogin(page, uniqueUser('a11y-title'));
    await expect(page).toHaveURL(pathIs('/'));
    await check('home', 'Hello World!');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await expect(page).toHaveURL(pathIs('/account'));
    await check('account', 'Your account');
    await page.goto(`${server.url}/no-such-page`);
    await check('not found', 'Page not found');

    const distinct = new Set(Object.values(titles));
    expect(distinct.size, `titles must differ per page: ${JSON.stringify(titles)}`).toBe(Object.keys(titles).length);
  },
);

const reflowViewports = [
  { name: '320 CSS px wide (WCAG 1.4.10; 400% zoom of 1280 px)', viewport: { width: 320, height: 640 } },
  { name: '200% zoom of a 1280 × 800 window (640 × 400 CSS px)', viewport: { width: 640, height: 400 } },
];

for (const { name, viewport } of reflowViewports) {
  test.describe(`reflow at ${name}`, calm, () => {
    test.use({ viewport });

    test('login, home and the open warning: no sideways scroll, the dialog buttons in view', async ({
      page,
      startServer,
    }) => {
      const server = await startServer({ env: fullWarning });
      await page.clock.install();
      await page.goto(`${server.url}/login?reason=idle`);
      await expect(page.locator('.timeout-policy')).toBeVisible();
      await expectNoHorizontalScroll(page, 'login');

      await submitLogin(page, uniqueUser('a11y-reflow'));
      await expect(page).toHaveURL(pathIs('/'));
      await expect(h1(page)).toHaveText('Hello World!');
      await expectNoHorizontalScroll(page, 'home');

      const dialog = warningDialog(page);
      await warningOpensNow(page);
      await expectNoHorizontalScroll(page, 'home with the warning');
      const { stay, signOut } = dialogButtons(page);
      await expectInsideViewport(page, stay, 'Stay signed in');
      await expectInsideViewport(page, signOut, 'Sign out (in the dialog)');
      await expectInsideViewport(
        page,
        dialog.getByRole('heading', { name: 'Your session is about to expire' }),
        'the dialog title',
      );
    });
  });
}

test('reduced motion: the countdown bar does not animate', calm, async ({ page, startServer }) => {
  const server = await startServer({ env: fullWarning });
  await page.clock.install();
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await signIn(page, uniqueUser('a11y-motion'), { from: `${server.url}/login` });
  await warningOpensNow(page);
  const bar = warningDialog(page).locator('.countdown-bar-fill');
  const duration = () => bar.evaluate((element) => getComputedStyle(element).transitionDuration);
  expect(await duration(), 'transition with prefers-reduced-motion: reduce').toBe('0s');
  // The control: without the preference the bar does glide, so the check above means something.
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  expect(await duration(), 'transition without the preference').not.toBe('0s');
});

test(
  'forced colours: the warning and its buttons stay visible, and axe finds no violations',
  calm,
  async ({ page, startServer }) => {
    const server = await startServer({ env: fullWarning });
    await page.clock.install();
    await page.emulateMedia({ forcedColors: 'active' });
    await signIn(page, uniqueUser('a11y-forced'), { from: `${server.url}/login` });
    const dialog = warningDialog(page);
    await warningOpensNow(page);
    expect(await page.evaluate(() => matchMedia('(forced-colors: active)').matches)).toBe(true);
    const { stay, signOut } = dialogButtons(page);
    for (const [button, label] of [
      [stay, 'Stay signed in'],
      [signOut, 'Sign out'],
    ] as const) {
      await expect(button).toBeVisible();
      await expectInsideViewport(page, button, label);
      // Without background colours, a button is told apart by its border.
      const border = await button.evaluate((element) => {
        const style = getComputedStyle(element);
        return { width: parseFloat(style.borderTopWidth), style: style.borderTopStyle };
      });
      expect(border.width, `${label}: a border in forced colours`).toBeGreaterThan(0);
      expect(border.style, `${label}: border style`).not.toBe('none');
    }
    await expect(dialog.locator('.countdown-value')).toBeVisible();
    await expectNoAxeViolations(page, '/ with the warning open, forced colours');
    await expect(dialog).toBeVisible();
  },
);
