import { randomBytes } from 'node:crypto';
import { expect, type BrowserContext, type Page } from '@playwright/test';

/** A username no other test uses: sign-in throttling and sessions stay per test. */
export function uniqueUser(prefix = 'e2e'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export const passwordFor = (username: string) => `${username}_secret`;

/** The idle warning, as people and assistive technology find it. */
export function warningDialog(page: Page) {
  return page.getByRole('alertdialog', { name: 'Your session is about to expire' });
}

/**
 * Fills and submits the login form on the page as it is (call `page.goto('/login...')` first, or
 * let `signIn` go there), then waits until the app has left the login page.
 */
export async function submitLogin(page: Page, username: string, password = passwordFor(username)) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in through the login page; resolves on `expectPath` (default `/`) with the user shown. */
export async function signIn(page: Page, username = uniqueUser(), { from = '/login', expectPath = '/' } = {}) {
  await page.goto(from);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await submitLogin(page, username);
  await expect(page).toHaveURL(pathIs(expectPath));
  await expect(signedInAs(page)).toContainText(username);
  return username;
}

/** "Signed in as <user>" in the header: there only while someone is signed in. */
export function signedInAs(page: Page) {
  return page.getByRole('banner').getByText('Signed in as');
}

/** A URL matcher on the path alone (any query), for toHaveURL. */
export function pathIs(path: string): (url: URL) => boolean {
  return (url) => url.pathname === path;
}

/** The countdown in the warning, `m:ss`, as whole seconds. */
export async function countdownSeconds(page: Page): Promise<number> {
  const text = (await warningDialog(page).locator('.countdown-value').textContent()) ?? '';
  const match = /^(\d+):(\d\d)$/.exec(text.trim());
  if (!match) throw new Error(`countdown is not m:ss: "${text}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * Records, inside the page, every time the warning dialog opens (also across reloads), as
 * `Date.now()` times (the same system clock as the test's, unless page.clock is installed), so a
 * test can say "never warned" without polling, and when. Call before the page loads.
 */
export async function recordWarnings(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __warningTimes: number[] };
    w.__warningTimes = [];
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        const target = mutation.target as Element;
        if (target.getAttribute('role') === 'alertdialog' && target.hasAttribute('open'))
          w.__warningTimes.push(Date.now());
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['open'] });
  });
}

/** How often the warning opened since the page loaded (see recordWarnings). */
export async function warningsOpened(page: Page): Promise<number> {
  return (await warningTimes(page)).length;
}

/** When the warning opened, as the page's `Date.now()` (see recordWarnings). */
export function warningTimes(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __warningTimes: number[] }).__warningTimes);
}

/**
 * The rhythm of a person at work: the gap between two of their inputs. This paces simulated
 * activity; it never stands in for waiting on a result (those wait on conditions).
 */
const inputGapMs = 150;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Moves the mouse (or types into the Notes field) for `durationMs` of real time, spreading the
 * input over `pages` in turn. `each` runs after every input (for checks during the activity).
 */
export async function keepActive(
  pages: Page[],
  durationMs: number,
  { kind = 'mouse', each }: { kind?: 'mouse' | 'keyboard'; each?: () => Promise<void> } = {},
) {
  const end = Date.now() + durationMs;
  let step = 0;
  if (kind === 'keyboard') for (const page of pages) await page.getByLabel(/^Notes/).click();
  while (Date.now() < end) {
    const page = pages[step % pages.length];
    if (kind === 'mouse') {
      await page.mouse.move(300 + (step % 40) * 10, 500 + (step % 7) * 15);
    } else {
      await page.keyboard.type(step % 30 === 29 ? '\n' : 'abcdefghij'[step % 10]);
    }
    if (each) await each();
    step++;
    await pause(inputGapMs);
  }
}

/** Counts `POST /api/session/heartbeat` requests the context sends while the counter is on. */
export function countHeartbeats(context: BrowserContext) {
  const times: number[] = [];
  let counting = true;
  const onRequest = (request: { method(): string; url(): string }) => {
    if (counting && request.method() === 'POST' && new URL(request.url()).pathname === '/api/session/heartbeat') {
      times.push(Date.now());
    }
  };
  context.on('request', onRequest);
  return {
    times,
    get count() {
      return times.length;
    },
    stop() {
      counting = false;
      context.off('request', onRequest);
    },
  };
}
