import { defineConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { chromiumArgs, chromiumPath } from './scripts/lib/chromium.mjs';

/**
 * End-to-end tests: the production build (scripts/e2e.mjs type-checks and builds before this
 * runs; the build only when its inputs changed, so `npm test` on a second Node line reuses it)
 * served by the real server (server/main.ts) on SQLite in a fresh temp folder, on a free
 * port, with short real timeouts: IDLE_TIMEOUT=8s, IDLE_WARNING=5s (heartbeat interval 1 s).
 * test/e2e/global-setup.ts starts it and passes its URL on in E2E_BASE_URL, and a calm one (no
 * warning for ten minutes) in E2E_CALM_URL for tests that are not about time (`calmServer`). Tests
 * that need other timings start a server of their own (test/e2e/support/fixtures.ts, `startServer`).
 *
 * Run time (about 75 tests, mostly waiting on real timeouts): what counts is the sum of the test
 * times over the workers, so a test waits in real time only for what it proves about time. Tests
 * about what the page shows once a timer has fired move the page's clock (`page.clock`) instead.
 * Fixtures stay test-scoped: Playwright queues tests with worker fixtures of their own after
 * every other test, in new workers, which made the longest test start last.
 */
const chromiumUse = {
  browserName: 'chromium' as const,
  launchOptions: { executablePath: chromiumPath, args: [...chromiumArgs] },
};
/** Tests that count what several tabs send together (see the 'alone' project). */
const runsAlone = /heartbeats do not grow with tabs/;
/** Tests that prove nothing about real time (`calm` in test/e2e/support/fixtures.ts). */
const calmTag = /@calm/;
/** Workers for the tests about time: three on two cores, since traces stopped recording screencasts (decision 030). */
const timingWorkers = Number(process.env.E2E_WORKERS) || 3;
/** Workers for the calm tests, whose browsers run at a lower CPU priority beside them. */
const calmWorkers = 2;

export default defineConfig({
  testDir: 'test/e2e',
  globalSetup: './test/e2e/global-setup.ts',
  // Three timing workers on two cores (decision 030). Four took 6.1 instead of 8.1 minutes, but
  // their browsers loaded two cores enough (load average 13 to 17 with nothing else running) that
  // a timing test failed now and then; on a machine loaded by others, four failed 4 of 74. Three
  // starved the calm browsers while every trace recorded a screencast and DOM snapshots; without
  // those the whole suite takes about 4 minutes instead of 5.6. Tests that are not about time run
  // on the calm shared server, where a loaded machine cannot make them meet a warning.
  // The calm tests (tagged @calm) run in two more workers beside them, in a Chromium at a lower
  // CPU priority (scripts/lib/chromium-low-priority.sh): they take the CPU the timing tests leave idle, and a
  // timing test's page never waits for one of them.
  workers: timingWorkers + calmWorkers,
  fullyParallel: true,
  retries: 0,
  forbidOnly: process.env.CI === 'true',
  reporter: 'list',
  // The longest tests watch 30 s of real activity.
  timeout: 90_000,
  expect: { timeout: 10_000 },
  outputDir: 'test-results/e2e',
  use: {
    baseURL: process.env.E2E_BASE_URL,
    // A failed test keeps its trace: the actions, the network and the console. Not its screencast
    // and DOM snapshots: recorded for every test and dropped for the passing ones, they made the
    // calm tests take a third more CPU (decision 030); the failure screenshot and the page's aria
    // snapshot (error-context.md) show the end state.
    trace: { mode: 'retain-on-failure', screenshots: false, snapshots: false },
    screenshot: 'only-on-failure',
    // A click or a wait that cannot happen (say, a button behind a warning that opened on a
    // loaded machine) fails in 15 s with what it waited for, instead of holding its worker until
    // the 90 s test timeout: a CI run with one such failure took 80 s longer and said less.
    actionTimeout: 15_000,
    navigationTimeout: 20_000,
    viewport: { width: 1280, height: 800 },
    locale: 'en-GB',
    timezoneId: 'UTC',
    // The warning's countdown bar glides in 1 s transitions: with no GPU every frame is composited
    // in software, about a fifth of a core per open warning (measured), and most tests have one
    // open. What a test checks never hangs on the glide; a11y.spec.ts checks both settings.
    reducedMotion: 'reduce',
  },
  projects: [
    // No browser: the production build holds no mock code. First, since a build with MSW is no release.
    { name: 'build', testMatch: 'build.spec.ts' },
    {
      name: 'chromium',
      testIgnore: 'build.spec.ts',
      grepInvert: [runsAlone, calmTag],
      dependencies: ['build'],
      workers: timingWorkers,
      use: chromiumUse,
    },
    {
      name: 'calm',
      testIgnore: 'build.spec.ts',
      grep: calmTag,
      dependencies: ['build'],
      workers: calmWorkers,
      use: {
        ...chromiumUse,
        launchOptions: {
          ...chromiumUse.launchOptions,
          executablePath: fileURLToPath(new URL('./scripts/lib/chromium-low-priority.sh', import.meta.url)),
        },
      },
    },
    // Counts of heartbeats across tabs hang on react-idle-timer's tab election, whose messages a
    // busy machine can delay past its timeouts (two tabs then both lead): these run after all the
    // others, with the machine to themselves.
    { name: 'alone', grep: runsAlone, dependencies: ['chromium', 'calm'], use: chromiumUse },
  ],
});
