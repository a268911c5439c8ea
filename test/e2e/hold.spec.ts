/**
 * Session holds (decision 024) in Chromium against the real server: an import whose upload the
 * browser's own network emulation throttles (CDP `Network.emulateNetworkConditions`) runs for
 * longer than the idle timeout without input.
 */
import { readFileSync } from 'node:fs';
import type { FileChooser, Page } from '@playwright/test';
import { calm, expect, test } from './support/fixtures';
import {
  recordWarnings,
  signedInAs,
  signIn,
  signInRequestTime,
  uniqueUser,
  warningDialog,
  warningsOpened,
  warningTimes,
  whileActive,
} from './support/app';
import { expectNoAxeViolations } from './a11y-support';

const idleMs = 8_000;
// The warning opens 5 s after the last input (not 3 s as on the shared server): room to load a
// large file into the page on a loaded machine before the Import click.
const warningMs = 3_000;
/** The upload's speed under emulation, in bytes per second. */
const uploadBytesPerSecond = 16 * 1024;
// An upload of 24 s is longer than this server's REQUEST_TIMEOUT default (15 s): the server is
// told to wait for it, as a deployment whose users import over slow links must be (README).
const serverEnv = { IDLE_TIMEOUT: `${idleMs}ms`, IDLE_WARNING: `${warningMs}ms`, REQUEST_TIMEOUT: '120s' };

/** A notes file of about `seconds` of upload at the emulated speed: notes of 8,000 characters (at most 200 notes). */
function notesFile(seconds: number) {
  const bytes = seconds * uploadBytesPerSecond;
  const notes: string[] = [];
  for (let size = 0, i = 1; size < bytes; i++) {
    const note = `# Note ${i}\n${'word '.repeat(1_600)}\n`;
    notes.push(note);
    size += note.length;
  }
  return { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from(notes.join('')), count: notes.length };
}

async function throttleUploads(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: uploadBytesPerSecond,
  });
}

/** Signs in straight to the Notes page of `origin`. */
async function signInToNotes(page: Page, prefix: string, origin: string) {
  return signIn(page, uniqueUser(prefix), { from: `${origin}/login?next=%2Fnotes`, expectPath: '/notes' });
}

async function startImport(page: Page, seconds: number) {
  const file = notesFile(seconds);
  // Loading the file is no input: a person at work meanwhile, so that on a loaded machine the idle
  // warning (5 s after the last input here) is not what the click meets.
  await whileActive(page, () => page.getByLabel('Notes file').setInputFiles(file));
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('progressbar', { name: 'Import progress' })).toBeVisible();
  return file;
}

test('an import three times as long as the idle timeout ends with no warning and no sign-out; the warning opens on time after it', async ({
  page,
  startServer,
}) => {
  test.setTimeout(90_000);
  const server = await startServer({ env: serverEnv });
  await recordWarnings(page);
  await signInToNotes(page, 'hold', server.url);
  await throttleUploads(page);
  const startedAt = Date.now();
  const file = await startImport(page, (3 * idleMs) / 1000);
  await expect(page.getByText('Kept signed in while the import runs.')).toBeVisible();

  await expect(page.getByText(`Imported ${file.count} notes.`)).toBeVisible({ timeout: 60_000 });
  const endedAt = Date.now();
  expect(endedAt - startedAt).toBeGreaterThanOrEqual(3 * idleMs);
  expect(await warningsOpened(page)).toBe(0);
  await expect(signedInAs(page)).toBeVisible();
  await expect(page.getByText('Kept signed in while the import runs.')).toBeHidden();

  // The idle clock starts when the hold ends: the warning opens idle − warning later.
  await expect(warningDialog(page)).toBeVisible({ timeout: idleMs });
  const [openedAt] = await warningTimes(page);
  expect(openedAt - endedAt).toBeGreaterThanOrEqual(idleMs - warningMs - 1_000);
  expect(openedAt - endedAt).toBeLessThanOrEqual(idleMs - warningMs + 1_000);
  // The server counts the hold's heartbeats in its log, with their reason.
  await expect
    .poll(() => readFileSync(test.info().outputPath('server-1.log'), 'utf8'))
    .toMatch(/"event":"session_held".*"hold":"import"/);
});

test('a hold does not pass the absolute limit', async ({ page, startServer }) => {
  const absoluteMs = 14_000;
  const server = await startServer({ env: { ...serverEnv, ABSOLUTE_TIMEOUT: `${absoluteMs}ms` } });
  await recordWarnings(page);
  const signedInAt = signInRequestTime(page);
  await signInToNotes(page, 'hold-absolute', server.url);
  await throttleUploads(page);
  await startImport(page, 30);

  await expect(page).toHaveURL(/\/login\?reason=absolute/, { timeout: absoluteMs + 5_000 });
  const endedAfter = Date.now() - signedInAt();
  expect(endedAfter).toBeGreaterThanOrEqual(absoluteMs - 1_000);
  expect(endedAfter).toBeLessThanOrEqual(absoluteMs + 2_000);
  expect(await warningsOpened(page)).toBe(0);
  expect((await page.request.get(`${server.url}/api/session`)).status()).toBe(401);
});

test('two tabs, one holding: neither warns', async ({ page, startServer }) => {
  test.setTimeout(90_000);
  // The warning 6 s after the last reported input, and H = 2 s, as in tabs.spec.ts: the second
  // tab's load and tab election send no heartbeat for about 2 s, longer on a loaded machine, which
  // 5 s and H = 1.7 s did not always hold (4 of 6 runs warned before the import, at load 8 to 16).
  const server = await startServer({ env: { ...serverEnv, IDLE_WARNING: '2s' } });
  await recordWarnings(page);
  await signInToNotes(page, 'hold-tabs', server.url);
  // Someone who opens another tab is still at work in the first (support/app.ts, whileActive).
  const other = await whileActive(page, async () => {
    const opened = await page.context().newPage();
    await recordWarnings(opened);
    await opened.goto(`${server.url}/`);
    await expect(signedInAs(opened)).toBeVisible();
    return opened;
  });
  await throttleUploads(page);
  const file = await startImport(page, (2 * idleMs) / 1000);
  await expect(other.getByText('Kept signed in while the import runs.')).toBeVisible();

  await expect(page.getByText(`Imported ${file.count} notes.`)).toBeVisible({ timeout: 60_000 });
  expect(await warningsOpened(page)).toBe(0);
  expect(await warningsOpened(other)).toBe(0);
  await expect(signedInAs(other)).toBeVisible();
});

/**
 * Space on the focused file input, again if need be, until Playwright's file chooser comes.
 * Playwright turns its interception of file choosers on when the listener is added, without
 * waiting for it: a Space that reaches the page first opens a picker nothing intercepts (headless
 * Chromium cancels it), and the chooser never comes. It happened twice in a row once traces
 * stopped taking a DOM snapshot before every action, which had delayed the key press.
 */
async function chooseWithSpace(page: Page): Promise<FileChooser> {
  const chooser = page.waitForEvent('filechooser', { timeout: 15_000 });
  let came = false;
  void chooser.then(
    () => (came = true),
    () => undefined,
  );
  await expect(async () => {
    if (!came) await page.keyboard.press('Space');
    await expect.poll(() => came, { timeout: 2_000 }).toBe(true);
  }).toPass({ timeout: 15_000 });
  return chooser;
}

test(
  'Import notes with the keyboard alone: choose, import, cancel; no axe violations while it runs',
  calm,
  async ({ page, startServer }) => {
    const server = await startServer({ env: { IDLE_TIMEOUT: '10m', IDLE_WARNING: '30s', REQUEST_TIMEOUT: '120s' } });
    await signIn(page, uniqueUser('import-keys'), { from: `${server.url}/login` });
    await page.goto(`${server.url}/notes`);
    await expectNoAxeViolations(page, 'the Notes page with Import notes');
    await throttleUploads(page);

    const fileInput = page.getByLabel('Notes file');
    await fileInput.focus();
    await expect(fileInput).toBeFocused();
    const chooser = await chooseWithSpace(page);
    await chooser.setFiles(notesFile(20));
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Import' })).toBeFocused();
    await page.keyboard.press('Enter');

    const progress = page.getByRole('progressbar', { name: 'Import progress' });
    await expect(progress).toBeVisible();
    await expect(page.getByText('Kept signed in while the import runs.')).toBeVisible();
    // Announced in steps of 10 % only.
    await expect.poll(async () => Number(await progress.getAttribute('aria-valuenow')) % 10).toBe(0);
    await expectNoAxeViolations(page, 'an import in progress');

    await page.getByRole('button', { name: 'Cancel' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByText('Import cancelled. Nothing was imported.')).toBeVisible();
    await expect(progress).toBeHidden();
    await expect(page.getByText('Kept signed in while the import runs.')).toBeHidden();
    await expect(page.getByText('No saved notes yet.')).toBeVisible();
  },
);
