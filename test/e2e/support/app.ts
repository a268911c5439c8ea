import { randomBytes } from 'node:crypto';
import { expect, type BrowserContext, type Page } from '@playwright/test';
import type { SessionResponse, SessionTiming } from '../../../shared/contract';

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

/** The Notes page's Text field. */
export function noteText(page: Page) {
  return page.getByLabel('Text', { exact: true });
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
 * Moves the mouse (or types into the Text field of the Notes page, where `pages` must be) for `durationMs` of real time, spreading the
 * input over `pages` in turn. `each` runs after every input (for checks during the activity).
 * Resolves with when the last input reached each page (this process's `Date.now()` just before
 * it was sent), for `expectActivityReported`.
 */
export async function keepActive(
  pages: Page[],
  durationMs: number,
  { kind = 'mouse', each }: { kind?: 'mouse' | 'keyboard'; each?: () => Promise<void> } = {},
): Promise<Map<Page, number>> {
  const end = Date.now() + durationMs;
  const lastInputAt = new Map<Page, number>();
  let step = 0;
  if (kind === 'keyboard') for (const page of pages) await noteText(page).click();
  while (Date.now() < end) {
    const page = pages[step % pages.length];
    lastInputAt.set(page, Date.now());
    if (kind === 'mouse') {
      await page.mouse.move(300 + (step % 40) * 10, 500 + (step % 7) * 15);
    } else {
      await page.keyboard.type(step % 30 === 29 ? '\n' : 'abcdefghij'[step % 10]);
    }
    if (each) await each();
    step++;
    await pause(inputGapMs);
  }
  return lastInputAt;
}

/** The session as the server reports it now: `GET /api/session`, which never extends it. It must be alive. */
export async function serverSession(page: Page): Promise<SessionTiming> {
  const response = await page.request.get('/api/session');
  expect(response.status(), 'GET /api/session: the session is alive').toBe(200);
  return ((await response.json()) as SessionResponse).session;
}

/**
 * Waits until the server's own clock is more than `ms` past the moment it answered `since`. Read
 * from the absolute limit the server reports, which is fixed at sign-in: neither this machine's
 * clock nor a request's round trip blurs it. Fails at once if the session ends meanwhile.
 */
export async function waitForServerTime(page: Page, since: SessionTiming, ms: number, timeout: number) {
  const serverElapsed = async () => since.absoluteExpiresInMs - (await serverSession(page)).absoluteExpiresInMs;
  await expect.poll(serverElapsed, { timeout, message: `the server's clock ${ms} ms on` }).toBeGreaterThan(ms);
}

/**
 * Runs `work` while a person keeps using `page` (mouse moves at the rhythm of `keepActive`): someone
 * who opens another tab of the app is still at work in the first. Without it, a new tab's load
 * and its tab election (about 2 s, when no heartbeat goes out) can take the whole 3 heartbeat
 * intervals before the warning of a test server with short timings.
 */
export async function whileActive<T>(page: Page, work: () => Promise<T>): Promise<T> {
  let done = false;
  const busy = (async () => {
    for (let step = 0; !done; step++) {
      await page.mouse.move(20 + (step % 10) * 10, 20);
      await pause(inputGapMs);
    }
  })();
  try {
    return await work();
  } finally {
    done = true;
    await busy;
  }
}

/**
 * Waits until the server has heard of the mouse input sent at `inputAt` (see `keepActive`) in
 * the session of `page`'s browser context: the heartbeat that reports it has been answered. The
 * server's last activity is its deadline less the idle timeout, as GET /api/session reports it.
 * Pointer moves are sampled once per input window, `min(1 s, H / 4)` (decision 032): the last
 * move of a burst is dated at its window's first, at most one window early. Half an input gap of
 * slack more, whatever the round trip.
 */
export async function expectActivityReported(page: Page, inputAt: number, timeout: number) {
  const { heartbeatIntervalMs } = await serverSession(page);
  const inputWindowMs = Math.min(1_000, heartbeatIntervalMs / 4);
  const reportedActivityAt = async () => {
    const askedAt = Date.now();
    const { idleExpiresInMs, idleTimeoutMs } = await serverSession(page);
    return askedAt + idleExpiresInMs - idleTimeoutMs;
  };
  await expect
    .poll(reportedActivityAt, { timeout, message: 'the server has heard of the last input (within its input window)' })
    .toBeGreaterThanOrEqual(inputAt - inputWindowMs - inputGapMs / 2);
}

/** Node-side `Date.now()` when the page sent its sign-in request (the session's first activity). */
export function signInRequestTime(page: Page): () => number {
  let sentAt = NaN;
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/session') sentAt = Date.now();
  });
  return () => sentAt;
}

/** Back from the login page after a sign-out lands on the login page again, showing nothing of the user. */
export async function expectBackShowsNothingProtected(page: Page) {
  await page.goBack();
  await expect(page).toHaveURL(pathIs('/login'));
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Hello World!' })).toHaveCount(0);
  await expect(signedInAs(page)).toHaveCount(0);
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
