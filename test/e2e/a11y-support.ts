import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';
import { passwordFor, pathIs, signedInAs, warningDialog } from './support/app';

/** The WCAG 2.2 AA rule set (axe tags: A and AA of 2.0, 2.1 and 2.2). */
export const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

type AxeViolation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

/** A violation as a line a person can act on: rule, impact, what it asks, and where. */
function describeViolation(violation: AxeViolation): string {
  const targets = violation.nodes.map((node) => node.target.map(String).join(' >>> '));
  return `${violation.id} (${violation.impact ?? 'no impact'}): ${violation.help} at ${targets.join(', ')}`;
}

/** Runs axe-core on the page as it is now; fails listing each violation's rule and elements. */
export async function expectNoAxeViolations(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).withTags(wcagTags).analyze();
  const found = results.violations.map(describeViolation);
  expect(found, `axe-core on ${where} found ${found.length} violation(s):\n${found.join('\n')}`).toEqual([]);
}

/** What has the focus, in words a failure message can show: `button "Sign out" in header`. */
export function focusedElement(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return 'body';
    const name = (element.getAttribute('aria-label') ?? element.textContent ?? '')
      .trim()
      .replace(/\s+/g, ' ')
      .slice(0, 40);
    const id = element.id ? `#${element.id}` : '';
    const place = element.closest('dialog')
      ? ' in dialog'
      : element.closest('header')
        ? ' in header'
        : element.closest('main')
          ? ' in main'
          : '';
    return `${element.tagName.toLowerCase()}${id} "${name}"${place}`;
  });
}

/**
 * Presses `key` (Tab or Shift+Tab) until `target` has the focus, at most `max` times; fails
 * listing every element the focus visited. Returns that list.
 */
export async function pressUntilFocused(
  page: Page,
  key: 'Tab' | 'Shift+Tab',
  target: Locator,
  max = 12,
): Promise<string[]> {
  const visited: string[] = [];
  for (let presses = 0; presses < max; presses++) {
    await page.keyboard.press(key);
    visited.push(await focusedElement(page));
    if (await target.evaluate((element) => element === document.activeElement)) return visited;
  }
  throw new Error(`${key} ×${max} never reached ${target}; the focus went: ${visited.join(' -> ')}`);
}

/**
 * Signs in with the keyboard alone, from a fresh load of /login (on `origin`, default the shared
 * server): Tab to each field, type, Enter.
 */
export async function signInWithKeyboard(page: Page, username: string, { origin = '', expectPath = '/' } = {}) {
  await page.goto(`${origin}/login`);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  // From the document start: the skip link, then Username (nothing else in between).
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Username')).toBeFocused();
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(passwordFor(username));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(pathIs(expectPath));
  await expect(signedInAs(page)).toContainText(username);
}

/** The warning's two buttons. */
export function dialogButtons(page: Page) {
  const dialog = warningDialog(page);
  return {
    stay: dialog.getByRole('button', { name: 'Stay signed in' }),
    signOut: dialog.getByRole('button', { name: 'Sign out' }),
  };
}

export interface Announcement {
  /** The live region's words after the change. */
  text: string;
  /** The visible countdown (`m:ss`) in the same frame. */
  countdown: string;
}

/**
 * Records, inside the page, every change of the warning's live region text (empty text
 * included), with the visible countdown at that moment. Call before the page loads.
 */
export async function recordAnnouncements(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __announcements: { text: string; countdown: string }[] };
    w.__announcements = [];
    let last: string | undefined;
    const read = () => {
      const region = document.querySelector('[data-testid="countdown-announcement"]');
      if (!region) return;
      const text = region.textContent ?? '';
      if (text === last) return;
      last = text;
      const countdown = region.closest('dialog')?.querySelector('.countdown-value')?.textContent ?? '';
      w.__announcements.push({ text, countdown });
    };
    new MutationObserver(read).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

/** The live region's changes since the page loaded (see recordAnnouncements). */
export function announcements(page: Page): Promise<Announcement[]> {
  return page.evaluate(() => (window as unknown as { __announcements: Announcement[] }).__announcements);
}

/** What decision 003 says the region speaks for `seconds` left: words, never `m:ss`. */
export function spokenFor(seconds: number): string {
  return `Your session will end in ${seconds} second${seconds === 1 ? '' : 's'}.`;
}

/** `m:ss` as whole seconds. */
export function countdownToSeconds(countdown: string): number {
  const match = /^(\d+):(\d\d)$/.exec(countdown.trim());
  if (!match) throw new Error(`countdown is not m:ss: "${countdown}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The page scrolls sideways: WCAG 1.4.10 (Reflow) says it must not at 320 CSS px. */
export async function expectNoHorizontalScroll(page: Page, where: string) {
  const { scrollWidth, clientWidth, widest } = await page.evaluate(() => {
    const root = document.documentElement;
    // The element that sticks out furthest, to name the culprit in a failure.
    let widest = '';
    let right = root.clientWidth;
    for (const element of Array.from(document.body.querySelectorAll('*'))) {
      const box = element.getBoundingClientRect();
      if (box.right > right + 0.5) {
        right = box.right;
        widest = `${element.tagName.toLowerCase()}${element.className ? `.${String(element.className).split(' ').join('.')}` : ''} (right edge ${Math.round(box.right)})`;
      }
    }
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, widest };
  });
  expect(
    scrollWidth,
    `${where}: scrolls sideways (scrollWidth ${scrollWidth} > clientWidth ${clientWidth}); widest: ${widest || 'none'}`,
  ).toBeLessThanOrEqual(clientWidth);
}

/** The element is entirely inside the viewport (not cut off, not scrolled away). */
export async function expectInsideViewport(page: Page, locator: Locator, what: string) {
  const viewport = page.viewportSize();
  if (!viewport) throw new Error('no viewport');
  const box = await locator.boundingBox();
  expect(box, `${what}: has no box (not rendered)`).not.toBeNull();
  const { x, y, width, height } = box!;
  const inside =
    x >= 0 && y >= 0 && x + width <= viewport.width && y + height <= viewport.height && width > 0 && height > 0;
  expect(
    inside,
    `${what}: box ${JSON.stringify(box)} is not inside the ${viewport.width}×${viewport.height} viewport`,
  ).toBe(true);
}
