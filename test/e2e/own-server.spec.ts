import { expect, test } from './support/fixtures';
import {
  keepActive,
  recordWarnings,
  signedInAs,
  signIn,
  signInRequestTime,
  uniqueUser,
  warningDialog,
  warningsOpened,
} from './support/app';

test('the server restarted mid-session (SQLite) keeps the user signed in', async ({ page, startServer }) => {
  // A heartbeat interval H of (60 - 54) / 3 = 2 s (server/session/expiry.ts): the failed heartbeat
  // is soon there to wait for, and a minute of session leaves the restarts no hurry. The warning
  // (6 s after the last input) may open meanwhile; nothing here clicks past it.
  const heartbeatIntervalMs = 2_000;
  const server = await startServer({ env: { IDLE_TIMEOUT: '60s', IDLE_WARNING: '54s' } });
  const username = await signIn(page, uniqueUser('restart'), { from: `${server.url}/login` });
  await expect(page.getByRole('heading', { name: 'Hello World!' })).toBeVisible();

  await server.stop();
  // Activity while the server is down: the heartbeat fails, the app says so quietly and keeps the user.
  await page.mouse.move(200, 300);
  await page.mouse.move(220, 320);
  // The heartbeat that fails goes out one interval H after sign-in, or 2H after it when no tab
  // leads yet (docs/design.md#tab-protocol): wait for the notice as long as the design allows.
  await expect(page.getByText('Reconnecting to the server… you are still signed in.')).toBeVisible({
    timeout: 2 * heartbeatIntervalMs + 2_000,
  });

  const again = await server.startAgain();
  expect(again.url).toBe(server.url);
  // The retried heartbeat reaches the new process, on the same database: the notice goes away.
  await expect(page.getByText('Reconnecting to the server…')).toBeHidden({ timeout: 20_000 });
  await expect(page).toHaveURL(`${server.url}/`);

  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Hello World!' })).toBeVisible();
  await expect(signedInAs(page)).toContainText(username);
  expect((await page.request.get(`${server.url}/api/session`)).status()).toBe(200);

  // And once more, a plain restart with the page idle.
  const third = await again.restart();
  await page.reload();
  await expect(signedInAs(page)).toContainText(username);
  expect((await page.request.get(`${third.url}/api/hello`)).status()).toBe(200);
});

test('the absolute limit ends the session of a user who never stops working, with its reason', async ({
  page,
  startServer,
}) => {
  const absoluteMs = 12_000;
  const server = await startServer({
    env: { IDLE_TIMEOUT: '8s', IDLE_WARNING: '5s', ABSOLUTE_TIMEOUT: `${absoluteMs}ms` },
  });
  await recordWarnings(page);
  const signedInAt = signInRequestTime(page);
  await signIn(page, uniqueUser('absolute'), { from: `${server.url}/login` });
  // Announced from the start (the notice shows from 5 minutes before the limit), and activity cannot dismiss it.
  const notice = page.getByText(/^Your session ends at \d{1,2}:\d\d, whatever you do/);
  await expect(notice).toBeVisible();

  const [, endedAt] = await Promise.all([
    keepActive([page], absoluteMs + 2_000),
    expect(page)
      .toHaveURL(/\/login\?reason=absolute$/, { timeout: absoluteMs + 3_000 })
      .then(() => Date.now()),
  ]);
  const endedAfter = endedAt - signedInAt();
  expect(endedAfter).toBeGreaterThanOrEqual(absoluteMs - 1_000);
  expect(endedAfter).toBeLessThanOrEqual(absoluteMs + 2_000);
  await expect(page.getByRole('status').filter({ hasText: 'time limit' })).toBeVisible();
  // Working all along: never the idle warning.
  expect(await warningsOpened(page)).toBe(0);
  await expect(warningDialog(page)).toHaveCount(0);
  expect((await page.request.get(`${server.url}/api/session`)).status()).toBe(401);
});
