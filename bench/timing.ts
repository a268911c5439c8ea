/**
 * Timing accuracy in Chromium: how late the warning opens and the sign-out happens against the
 * deadline the client computed, median and worst of BENCH_TIMING_RUNS (default 10) per mode, on
 * the real server with IDLE_TIMEOUT=8s and IDLE_WARNING=5s (as the end-to-end tests run it).
 *
 * - foreground: a visible tab left alone after sign-in.
 * - hidden past the deadline: right after sign-in the page reports itself hidden and its
 *   JavaScript is paused (CDP Debugger.pause: nothing runs, as in a frozen background tab or a
 *   sleeping laptop) until 2 s past the deadline; then it runs again and reports itself visible.
 *   Chromium's own hiding could not be produced here: in headless (and headful under Xvfb) a
 *   second tab brought to the front, Target.activateTarget, a minimized window and
 *   Page.setWebLifecycleState('frozen') all left the page 'visible' with its timers on time.
 *
 * The deadline is the client's own: an init script wraps `fetch` and, for every answer carrying a
 * `session`, adds its `idleExpiresInMs` (and `absoluteExpiresInMs`) to `Date.now()` when the request
 * left, as src/lib/api.ts does, keeping the latest. The warning's opening is when the
 * alertdialog gets `open` (`recordWarnings` of the end-to-end tests); the sign-out is when the URL
 * becomes /login (history wrapped). All three are the page's `Date.now()`. Real time: figures are
 * printed, never asserted.
 *
 * Needs Chromium (CHROMIUM_PATH or /usr/bin/chromium); without it, prints why and skips.
 * Run alone: npx tsx bench/timing.ts
 */
import type { Browser, Page } from 'playwright-core';
import { recordWarnings, warningTimes } from '../test/e2e/support/app';
import { ensureBuilt } from './bundle';
import { launchChromium, signInThroughPage, withAppServer } from './lib/browser';
import { heading, isMain, median, printTable } from './lib/table';

const runs = Number(process.env.BENCH_TIMING_RUNS ?? 10);
/** Runs at once, started 1 s apart: their timers fire at different moments, and 10 runs take about 30 s, not 100. */
const parallel = Number(process.env.BENCH_TIMING_PARALLEL ?? 5);
const idleTimeout = '8s';
const idleWarning = '5s';
const hiddenPastDeadlineMs = 2_000;

interface PageRecord {
  deadline: number;
  warningMs: number;
  signedOutAt?: number;
}

interface Run {
  warningLateMs?: number;
  warnings: number;
  signOutLateMs: number;
  /** Hidden runs: from the moment the page's JavaScript ran again to the sign-out. */
  afterResumeMs?: number;
}

/** Installs the recorders (see the header) and a visibility the bench can set; runs before the app. */
async function record(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __timing: PageRecord; __setHidden: (hidden: boolean) => void };
    const timing: PageRecord = { deadline: 0, warningMs: 0 };
    w.__timing = timing;
    const originalFetch = window.fetch.bind(window);
    window.fetch = async (input, init) => {
      const sentAt = Date.now();
      const response = await originalFetch(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input), location.href);
      if (url.pathname.startsWith('/api/session') && response.ok && response.status !== 204) {
        response
          .clone()
          .json()
          .then((body: { session?: { idleExpiresInMs: number; absoluteExpiresInMs: number; warningMs: number } }) => {
            if (!body.session) return;
            const { idleExpiresInMs, absoluteExpiresInMs, warningMs } = body.session;
            timing.deadline = Math.max(timing.deadline, sentAt + Math.min(idleExpiresInMs, absoluteExpiresInMs));
            timing.warningMs = warningMs;
          })
          .catch(() => {});
      }
      return response;
    };
    for (const method of ['pushState', 'replaceState'] as const) {
      const original = history[method].bind(history);
      history[method] = (data, unused, url) => {
        original(data, unused, url);
        if (location.pathname === '/login' && timing.deadline && timing.signedOutAt === undefined)
          timing.signedOutAt = Date.now();
      };
    }
    let hidden = false;
    // Method syntax, not arrows: tsx names arrow properties with a helper that the page lacks.
    Object.defineProperty(document, 'visibilityState', {
      get() {
        return hidden ? 'hidden' : 'visible';
      },
    });
    Object.defineProperty(document, 'hidden', {
      get() {
        return hidden;
      },
    });
    w.__setHidden = (value) => {
      hidden = value;
      document.dispatchEvent(new Event('visibilitychange'));
    };
  });
}

const readRecord = (page: Page) => page.evaluate(() => (window as unknown as { __timing: PageRecord }).__timing);

async function oneRun(browser: Browser, baseUrl: string, username: string, hide: boolean): Promise<Run> {
  const context = await browser.newContext();
  let resumedAt: number | undefined;
  try {
    const page = await context.newPage();
    await record(page);
    await recordWarnings(page);
    await signInThroughPage(page, baseUrl, username);
    if (hide) {
      const { deadline } = await readRecord(page);
      const cdp = await context.newCDPSession(page);
      await page.evaluate(() => (window as unknown as { __setHidden: (hidden: boolean) => void }).__setHidden(true));
      await cdp.send('Debugger.enable');
      await cdp.send('Debugger.pause');
      // The page's clock and ours are the same system clock (Date.now in both).
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline + hiddenPastDeadlineMs - Date.now())));
      resumedAt = Date.now();
      await cdp.send('Debugger.resume');
      await cdp.send('Debugger.disable');
      await page.evaluate(() => (window as unknown as { __setHidden: (hidden: boolean) => void }).__setHidden(false));
    }
    await page.waitForURL((url) => url.pathname === '/login', { timeout: 30_000 });
    await page.waitForFunction(
      () => (window as unknown as { __timing: PageRecord }).__timing.signedOutAt !== undefined,
    );
    const timing = await readRecord(page);
    const warnings = await warningTimes(page);
    const warnAt = timing.deadline - timing.warningMs;
    return {
      warningLateMs: warnings.length ? warnings[0] - warnAt : undefined,
      warnings: warnings.length,
      signOutLateMs: timing.signedOutAt! - timing.deadline,
      afterResumeMs: resumedAt === undefined ? undefined : timing.signedOutAt! - resumedAt,
    };
  } finally {
    await context.close();
  }
}

/** `count` runs, `parallel` at a time, each started 1 s after the one before. */
async function runMany(count: number, start: (index: number) => Promise<Run>): Promise<Run[]> {
  const results: Run[] = [];
  let next = 0;
  const worker = async (slot: number) => {
    await new Promise((resolve) => setTimeout(resolve, slot * 1000));
    while (next < count) results.push(await start(next++));
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, (_, slot) => worker(slot)));
  return results;
}

const ms = (value: number | undefined) => (value === undefined ? 'n/a' : `${Math.round(value)} ms`);
const summary = (values: (number | undefined)[]) => {
  const known = values.filter((value): value is number => value !== undefined);
  return known.length
    ? `${ms(median(known))} / ${ms(Math.max(...known))}${known.length < values.length ? ` (${known.length} of ${values.length})` : ''}`
    : 'never';
};

export async function runTimingBench(): Promise<void> {
  heading(
    `Timing accuracy in Chromium: warning and sign-out against the client's deadline (IDLE_TIMEOUT=${idleTimeout}, IDLE_WARNING=${idleWarning})`,
  );
  const browser = await launchChromium();
  if (typeof browser === 'string') {
    console.log(`skipped: ${browser}`);
    return;
  }
  try {
    if (!ensureBuilt()) return;
    await withAppServer({ IDLE_TIMEOUT: idleTimeout, IDLE_WARNING: idleWarning }, async (server) => {
      const rows: string[][] = [];
      for (const hide of [false, true]) {
        const results = await runMany(runs, (index) =>
          oneRun(browser, server.url, `bench-timing-${process.pid}-${hide ? 'h' : 'f'}${index}`, hide),
        );
        rows.push([
          hide
            ? `hidden (JS paused) until ${hiddenPastDeadlineMs / 1000} s past the deadline, then shown`
            : 'foreground',
          String(results.length),
          summary(results.map((run) => run.warningLateMs)),
          results.map((run) => run.warnings).join(','),
          summary(results.map((run) => run.signOutLateMs)),
          hide ? summary(results.map((run) => run.afterResumeMs)) : 'n/a',
        ]);
      }
      console.log('median / worst; late = after the moment the client computed (deadline - warning, deadline).');
      printTable(
        ['tab', 'runs', 'warning late', 'warnings opened per run', 'sign-out late', 'sign-out after JS resumed'],
        rows,
      );
    });
  } finally {
    await browser.close();
  }
}

if (isMain(import.meta.url)) await runTimingBench();
