#!/usr/bin/env node
// `npm run screenshots`: pictures of the real thing for the README, in docs/screenshots/.
// Builds the SPA if dist/ is missing, starts the real server (SQLite in a temp folder, a free
// port, a 30 s warning 5 s after the last activity), and drives the system Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { distDir, makeTempDir, repoRoot, startAppServer } from './lib/app-server.mjs';
import { chromiumArgs, chromiumPath } from './lib/chromium.mjs';

const outDir = join(repoRoot, 'docs', 'screenshots');
const desktop = { width: 1280, height: 800 };
const mobile = { width: 375, height: 740 };

if (!existsSync(chromiumPath)) {
  console.error(`screenshots: Chromium not found at ${chromiumPath} (apt-get install chromium or set CHROMIUM_PATH)`);
  process.exit(1);
}
if (!existsSync(join(distDir, 'index.html'))) {
  console.log('screenshots: no dist/, building it first');
  const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

mkdirSync(outDir, { recursive: true });
const temp = makeTempDir('idle-session-screenshots-');
const server = await startAppServer({
  env: { IDLE_TIMEOUT: '35s', IDLE_WARNING: '30s', DATABASE_PATH: join(temp.path, 'sessions.db') },
});
// The Notes page on a server of its own, with no warning for ten minutes.
const calmServer = await startAppServer({
  env: { IDLE_TIMEOUT: '10m', IDLE_WARNING: '30s', DATABASE_PATH: join(temp.path, 'notes.db') },
});
const browser = await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs] });

async function newPage(viewport, baseURL = server.url, userAgent = undefined) {
  const context = await browser.newContext({
    baseURL,
    userAgent,
    viewport,
    deviceScaleFactor: 1,
    colorScheme: 'light',
    reducedMotion: 'reduce',
    locale: 'en-GB',
    timezoneId: 'Europe/London',
  });
  return context.newPage();
}

async function shoot(page, name) {
  const path = join(outDir, name);
  // Park the pointer where it hovers nothing.
  await page.mouse.move(desktop.width - 5, desktop.height - 5);
  await page.screenshot({ path });
  console.log(`screenshots: ${path}`);
}

try {
  // The login page, wide and narrow.
  const login = await newPage(desktop);
  await login.goto('/login');
  await login.getByText('For your security').waitFor();
  await shoot(login, 'login.png');

  const phone = await newPage(mobile);
  await phone.goto('/login');
  await phone.getByText('For your security').waitFor();
  await shoot(phone, 'login-mobile.png');

  // Signed in: the home page.
  await login.getByLabel('Username').fill('test');
  await login.getByLabel('Password').fill('test_secret');
  await login.getByRole('button', { name: 'Sign in' }).click();
  await login.getByRole('heading', { name: 'Hello World!' }).waitFor();
  await shoot(login, 'home.png');

  // No input from here: the warning opens 5 s later and counts down from 0:30.
  const dialog = login.getByRole('alertdialog', { name: 'Your session is about to expire' });
  await dialog.waitFor({ timeout: 15_000 });
  // Always the same moment, 0:28 (the README's description of the picture says so).
  await login
    .locator('.countdown-value')
    .filter({ hasText: /^0:28$/ })
    .waitFor({ timeout: 10_000 });
  await login.screenshot({ path: join(outDir, 'warning.png') });
  console.log(`screenshots: ${join(outDir, 'warning.png')}`);

  // Notes: two saved notes and an unsaved one, restored after a reload as after signing in again.
  const notes = await newPage(desktop, calmServer.url);
  await notes.goto('/login?next=%2Fnotes');
  await notes.getByLabel('Username').fill('test');
  await notes.getByLabel('Password').fill('test_secret');
  await notes.getByRole('button', { name: 'Sign in' }).click();
  await notes.getByRole('heading', { name: 'Notes', level: 1 }).waitFor();
  for (const [title, text] of [
    ['Shopping', 'Milk, bread, coffee'],
    ['Call the bank', 'About the new card'],
  ]) {
    await notes.getByLabel('Title', { exact: true }).fill(title);
    await notes.getByLabel('Text', { exact: true }).fill(text);
    await notes.getByRole('button', { name: 'Save' }).click();
    await notes.getByRole('button', { name: `Open ${title}` }).waitFor();
    if (await notes.getByRole('button', { name: 'New note' }).isVisible()) {
      await notes.getByRole('button', { name: 'New note' }).click();
    }
  }
  await notes.getByLabel('Title', { exact: true }).fill('Reply to Sam');
  await notes.getByLabel('Text', { exact: true }).fill('Thanks for the photos! About Saturday: I can be there by');
  await notes.getByText('Draft saved on the server').waitFor();
  await notes.reload();
  await notes.getByRole('button', { name: 'Discard draft' }).waitFor();
  await shoot(notes, 'notes.png');

  // Import notes while it uploads (the browser's network emulation slows it down): the progress
  // bar, Cancel, and the line that says why the session is kept. The whole page, top to bottom.
  await notes.getByRole('button', { name: 'Discard draft' }).click();
  const cdp = await notes.context().newCDPSession(notes);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 64 * 1024,
  });
  const lines = Array.from({ length: 60 }, (_, i) => `# Recipe ${i + 1}\n${'Mix, bake, wait. '.repeat(300)}\n`);
  await notes.getByLabel('Notes file').setInputFiles({
    name: 'recipes.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from(lines.join('')),
  });
  await notes.getByRole('button', { name: 'Import' }).click();
  const progress = notes.getByRole('progressbar', { name: 'Import progress' });
  await progress.waitFor();
  await notes.getByText('Kept signed in while the import runs.').waitFor();
  while (Number(await progress.getAttribute('aria-valuenow')) < 30) await notes.waitForTimeout(100);
  await notes.mouse.move(desktop.width - 5, desktop.height - 5);
  await notes.screenshot({ path: join(outDir, 'import.png'), fullPage: true });
  console.log(`screenshots: ${join(outDir, 'import.png')}`);
  await notes.getByRole('button', { name: 'Cancel' }).click();
  await notes.getByText('Import cancelled').waitFor();
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });

  // The Help panel: the help page in its iframe, beside the page.
  await notes.goto('/');
  await notes.getByRole('button', { name: 'Help', exact: true }).click();
  await notes
    .frameLocator('iframe[title^="Help"]')
    .getByRole('heading', { level: 1, name: 'Staying signed in, and keeping your notes' })
    .waitFor();
  await shoot(notes, 'help.png');
  await notes.getByRole('button', { name: 'Close help' }).click();

  // Account: this browser and one more, signed in as the same user from Firefox on Windows.
  const laptop = await newPage(
    desktop,
    calmServer.url,
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0',
  );
  await laptop.goto('/login');
  await laptop.getByLabel('Username').fill('test');
  await laptop.getByLabel('Password').fill('test_secret');
  await laptop.getByRole('button', { name: 'Sign in' }).click();
  await laptop.getByRole('heading', { name: 'Hello World!' }).waitFor();
  await notes.goto('/account');
  await notes.getByRole('button', { name: 'Sign out everywhere else' }).waitFor();
  await notes.getByText('Firefox on Windows').waitFor();
  await shoot(notes, 'account.png');
} finally {
  await browser.close();
  await server.stop();
  await calmServer.stop();
  temp.remove();
}
