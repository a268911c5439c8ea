/**
 * What user activity costs in the browser: main-thread script time while 1,000 real input events
 * (CDP Input.dispatchMouseEvent / Input.dispatchKeyEvent: 900 mouse moves, 50 key presses) reach
 * the page, the React commits they cause and the requests they send. Five pages, each in a fresh
 * browser context, in turn, for BENCH_ACTIVITY_ROUNDS rounds (default 5; medians printed, and each
 * round's ratio to the baseline, since the rounds are paired):
 *
 * - bare React in react-router (baseline): bench/pages, our app's signed-in home page as plain
 *   React (the same elements and stylesheet, the heading focused), nested in react-router routes
 *   as our app's are, with no activity handling at all. React walks the fiber path of every event
 *   it dispatches, and in a routed app about 20 of the router's components lie on it: that is
 *   the router's cost, not the session's (decision 032);
 * - bare React in react-router again: the baseline in another context of the same round, so the
 *   table shows what the bench reads when nothing differs (single rounds here: 0.90x to 1.19x);
 *   a page's ratio inside that band says nothing;
 * - bare React, no router: the same page as plain elements (the baseline before decision 032;
 *   a column gives every page's script CPU over it too);
 * - react-idle-timer + ping (peer): the routed page with `useIdleTimer` at its defaults and a
 *   `fetch` ping on every `onAction`, what a user would build instead of this app;
 * - our app, signed in: the production build (dist/) on the real server, on its home page.
 *
 * Before the measured events each page gets 100 of the same events, not counted: the first events
 * on a page compile its listeners (V8 compiles a function at its first call) and that belongs to
 * loading the page, not to activity. Without them the first round cost our app 1.11x to 1.17x the
 * baseline in three runs, later rounds 0.98x to 1.18x.
 *
 * The same page on both sides, so the same input reaches the same elements: every pointer
 * position lands on the element it lands on in our app, and React handles each event on both.
 * Script time is measured twice over the burst: ScriptDuration (clock time, as DevTools shows it)
 * and script CPU (thread time, from a trace; see `traceScriptCpu`): on a shared machine a thread
 * that loses its core inside a 0.3 ms listener can add 100 ms to ScriptDuration.
 *
 * Needs Chromium (CHROMIUM_PATH or /usr/bin/chromium); without it, prints why and skips.
 * Run alone: npx tsx bench/activity.ts
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { build } from 'vite';
import { makeTempDir } from '../scripts/lib/app-server.mjs';
import { ensureBuilt } from './bundle';
import {
  countReactCommits,
  launchChromium,
  mainThreadMs,
  signInThroughPage,
  traceScriptCpu,
  withAppServer,
  type ScriptEntry,
} from './lib/browser';
import { heading, isMain, median, printTable } from './lib/table';

const pagesDir = fileURLToPath(new URL('./pages', import.meta.url));
const rounds = Number(process.env.BENCH_ACTIVITY_ROUNDS ?? 5);
const eventCount = 1000;
/**
 * At most one event per 5 ms. In practice Chromium acknowledges a mouse move at its next frame, so
 * the events arrive at about 60 a second, as from a real mouse: 1,000 take about 16 s.
 */
const eventGapMs = 5;
/** Events sent before the measured ones, on every page (see measure). */
const warmUpEvents = 100;

export interface Sample {
  /** Commits while the page loaded (and signed in): shows the counter works where the events cause none. */
  loadCommits: number;
  scriptMs: number;
  /** Script time in CPU terms, from a trace (`traceScriptCpu`); NaN when not traced. */
  scriptCpuMs: number;
  /** Calls from the browser into JavaScript on the main thread (listeners, timers, ...), from the trace. */
  scriptCalls: number;
  /** Each of those calls with its task and function, when measured with `entries` (else empty). */
  entries: ScriptEntry[];
  /** The renderer main thread's CPU time over the same span, for all its work (ThreadTime). */
  cpuMs: number;
  /** Elements in the React root: the two pages should have the same. */
  elements: number;
  commits: number;
  requests: number;
  wallMs: number;
}

/**
 * The name our app signs in with, as long as the one bench/pages shows ('bench-activity-00000-0'):
 * a longer name moves the page's text, and the pointer then crosses other elements.
 */
export function benchUsername(n: number): string {
  return `bench-activity-${String(n % 100_000).padStart(5, '0')}-0`;
}

/** A page in a browser context of its own, ready for `measure`: its commit and request counters. */
export interface OpenedPage {
  page: Page;
  commits: () => Promise<number>;
  requests: () => number;
  close(): Promise<void>;
}

/** bench/pages at `query` (`?page=router`: the baseline), on its heading; requests are its pings. */
export async function openPeerPage(
  browser: Browser,
  peers: { url: string; pings: () => number },
  query: string,
): Promise<OpenedPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const commits = await countReactCommits(page);
  await page.goto(`${peers.url}/${query}`);
  await page.getByRole('heading', { name: 'Hello World!' }).waitFor();
  return { page, commits, requests: peers.pings, close: () => context.close() };
}

/** Our app at `baseUrl`, signed in through its login page as `benchUsername(n)`; requests are its `/api/` ones. */
export async function openSignedInApp(browser: Browser, baseUrl: string, n: number): Promise<OpenedPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const commits = await countReactCommits(page);
  let apiRequests = 0;
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/')) apiRequests++;
  });
  await signInThroughPage(page, baseUrl, benchUsername(n));
  return { page, commits, requests: () => apiRequests, close: () => context.close() };
}

/** Builds bench/pages (React production build) into a temp folder and serves it, with `POST /ping` -> 204. */
export async function servePeerPages(
  sourcemap: boolean | 'hidden' = false,
): Promise<{ url: string; pings: () => number; close(): Promise<void> }> {
  const out = makeTempDir('idle-session-bench-pages-');
  await build({
    configFile: false,
    root: pagesDir,
    base: './',
    mode: 'production',
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir: out.path, emptyOutDir: true, sourcemap },
  });
  let pings = 0;
  const server: Server = createServer((request, response) => {
    if (request.url === '/ping') {
      pings++;
      request.resume().on('end', () => response.writeHead(204).end());
      return;
    }
    const path = normalize(new URL(request.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
    const file = join(out.path, path === '/' ? 'index.html' : path);
    readFile(file).then(
      (body) => {
        const type =
          { '.js': 'text/javascript', '.html': 'text/html', '.css': 'text/css' }[extname(file)] ?? 'text/plain';
        response.writeHead(200, { 'Content-Type': type }).end(body);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    pings: () => pings,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      out.remove();
    },
  };
}

/**
 * `count` input events through CDP: mouse moves over the page, every 20th pair a key press ('a',
 * to the focused heading: no text changes), paced from `started` at one per `eventGapMs` at most.
 */
async function sendEvents(cdp: CDPSession, count: number, started = performance.now()): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (i % 20 === 18 || i % 20 === 19) {
      await cdp.send('Input.dispatchKeyEvent', {
        type: i % 20 === 18 ? 'keyDown' : 'keyUp',
        key: 'a',
        code: 'KeyA',
        windowsVirtualKeyCode: 65,
        ...(i % 20 === 18 ? { text: 'a' } : {}),
      });
    } else {
      await cdp.send('Input.dispatchMouseEvent', {
        type: 'mouseMoved',
        x: 100 + ((i * 7) % 600),
        y: 100 + ((i * 13) % 400),
      });
    }
    // Pacing the input like a person's mouse, not waiting for a result.
    const due = started + (i + 1) * eventGapMs;
    const now = performance.now();
    if (due > now) await new Promise((resolve) => setTimeout(resolve, due - now));
  }
}

/**
 * Sends the 1,000 events at `eventGapMs` intervals and measures what they cost the page; with
 * `browser`, under a trace of V8's entry points (`traceScriptCpu`), which gives script CPU time;
 * with `entries` too, each call's task and function (a dearer trace: bench/activity-entries.ts).
 */
export async function measure(
  page: Page,
  commits: () => Promise<number>,
  requests: () => number,
  browser?: Browser,
  { entries = false }: { entries?: boolean } = {},
): Promise<Sample> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.mouse.move(10, 10);
  // Let the load's own work (fetches, effects) finish so it is not counted.
  await page.waitForLoadState('networkidle');
  // The first events of a page compile and warm its listeners' code (V8 compiles a function at
  // its first call): a page's load, not its activity. Sent first, not counted, on every page alike.
  await sendEvents(cdp, warmUpEvents);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined))));
  const before = { main: await mainThreadMs(cdp), commits: await commits(), requests: requests() };
  const started = performance.now();
  const burst = async () => {
    await sendEvents(cdp, eventCount, started);
    // One frame, so work the last events scheduled for rendering is counted too.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined))));
  };
  const traced = browser ? await traceScriptCpu(browser, page, burst, { entries }) : (await burst(), undefined);
  const wallMs = performance.now() - started;
  const after = await mainThreadMs(cdp);
  const sample = {
    loadCommits: before.commits,
    scriptMs: after.script - before.main.script,
    scriptCpuMs: traced?.scriptCpuMs ?? NaN,
    scriptCalls: traced?.scriptCalls ?? NaN,
    entries: traced?.entries ?? [],
    cpuMs: after.cpu - before.main.cpu,
    elements: await page.evaluate(() => document.querySelectorAll('#root *').length),
    commits: (await commits()) - before.commits,
    requests: requests() - before.requests,
    wallMs,
  };
  await cdp.detach();
  return sample;
}

type Scenario = { name: string; run: (browser: Browser) => Promise<Sample> };

export async function runActivityBench(): Promise<void> {
  heading(
    `Activity cost in Chromium: ${eventCount} real input events (CDP), bare React and react-idle-timer + ping beside our app`,
  );
  const browser = await launchChromium();
  if (typeof browser === 'string') {
    console.log(`skipped: ${browser}`);
    return;
  }
  const peers = await servePeerPages().catch((error: Error) => error);
  try {
    if (peers instanceof Error) {
      console.log(`skipped: building bench/pages failed: ${peers.message}`);
      return;
    }
    if (!ensureBuilt()) return;
    await withAppServer({}, async (server) => {
      let user = 0;
      const peerScenario = (name: string, query: string): Scenario => ({
        name,
        async run() {
          const opened = await openPeerPage(browser, peers, query);
          const sample = await measure(opened.page, opened.commits, opened.requests, browser);
          await opened.close();
          return sample;
        },
      });
      const scenarios: Scenario[] = [
        peerScenario('bare React in react-router (baseline)', '?page=router'),
        // The baseline again, in a context of its own: its ratio is the bench's own noise this run.
        peerScenario('bare React in react-router again (the noise: baseline against itself)', '?page=router'),
        peerScenario('bare React, no router', ''),
        peerScenario('react-idle-timer defaults + fetch ping per onAction (peer)', '?page=router&peer=idle-timer'),
        {
          name: 'our app, signed in (home page)',
          async run() {
            const opened = await openSignedInApp(browser, server.url, user++);
            const sample = await measure(opened.page, opened.commits, opened.requests, browser);
            await opened.close();
            return sample;
          },
        },
      ];
      const samples = new Map<string, Sample[]>(scenarios.map((scenario) => [scenario.name, []]));
      for (let round = 0; round < rounds; round++) {
        // A different order each round, so a noisy moment does not always land on the same page.
        const order = scenarios.map((_, k) => scenarios[(k + round) % scenarios.length]);
        for (const scenario of order) samples.get(scenario.name)!.push(await scenario.run(browser));
        console.log(
          `round ${round + 1}/${rounds}, load average ${loadavg()
            .map((load) => load.toFixed(2))
            .join(' ')}: ` +
            scenarios
              .map(({ name }) => {
                const sample = samples.get(name)!.at(-1)!;
                return `${name.split(' (')[0]} ${sample.scriptMs.toFixed(1)} ms (CPU ${sample.scriptCpuMs.toFixed(1)})`;
              })
              .join(', '),
        );
      }
      const bare = samples.get(scenarios[0].name)!;
      const plain = samples.get(scenarios[2].name)!;
      console.log(
        `${rounds} round${rounds === 1 ? '' : 's'}, median (range). Script: the renderer's ScriptDuration (CDP Performance.getMetrics), ` +
          'clock time in script, time waiting for a core included. Script CPU: the thread time of the same script, from a trace of ' +
          'V8\u2019s entry points (waits excluded; the trace itself adds some to both). JS calls: calls from the browser into ' +
          'JavaScript (listeners, timers). Main-thread CPU: all the thread\u2019s work (style, layout, hit tests too). ' +
          'Commits counted through React\u2019s DevTools hook (onCommitFiberRoot), in every page alike.',
      );
      const range = (values: number[], digits = 0) =>
        `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
      /** This page over `base`: the ratio of the medians, and each round's ratio (the rounds are paired). */
      const over = (base: Sample[], list: Sample[], pick: (sample: Sample) => number) =>
        `${(median(list.map(pick)) / median(base.map(pick))).toFixed(2)}x [${list.map((sample, k) => (pick(sample) / pick(base[k])).toFixed(2)).join(' ')}]`;
      const overBare = (list: Sample[], pick: (sample: Sample) => number) => over(bare, list, pick);
      printTable(
        [
          'page',
          'script ms / 1000 events',
          'x bare [per round]',
          'script CPU ms',
          'x bare [per round]',
          'script CPU x no router [per round]',
          'JS calls',
          'main-thread CPU ms',
          'React commits',
          'requests sent',
          'wall s',
          'commits at load',
          'elements',
        ],
        scenarios.map(({ name }) => {
          const list = samples.get(name)!;
          return [
            name,
            range(
              list.map((sample) => sample.scriptMs),
              1,
            ),
            overBare(list, (sample) => sample.scriptMs),
            range(
              list.map((sample) => sample.scriptCpuMs),
              1,
            ),
            overBare(list, (sample) => sample.scriptCpuMs),
            over(plain, list, (sample) => sample.scriptCpuMs),
            median(list.map((sample) => sample.scriptCalls)).toFixed(0),
            median(list.map((sample) => sample.cpuMs)).toFixed(0),
            range(list.map((sample) => sample.commits)),
            range(list.map((sample) => sample.requests)),
            (median(list.map((sample) => sample.wallMs)) / 1000).toFixed(1),
            range(list.map((sample) => sample.loadCommits)),
            median(list.map((sample) => sample.elements)).toFixed(0),
          ];
        }),
      );
    });
  } finally {
    if (!(peers instanceof Error)) await peers.close();
    await browser.close();
  }
}

if (isMain(import.meta.url)) await runActivityBench();
