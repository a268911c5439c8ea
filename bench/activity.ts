/**
 * What user activity costs in the browser: main-thread script time while 1,000 real input events
 * (CDP Input.dispatchMouseEvent / Input.dispatchKeyEvent: 900 mouse moves, 50 key presses) reach
 * the page, the React commits they cause and the requests they send. Three pages, each in a fresh
 * browser context, in turn, for BENCH_ACTIVITY_ROUNDS rounds (default 2; medians printed):
 *
 * - bare React (baseline): bench/pages, plain React, no activity handling at all;
 * - react-idle-timer + ping (peer): the same page with `useIdleTimer` at its defaults and a
 *   `fetch` ping on every `onAction`, what a user would build instead of this app;
 * - our app, signed in: the production build (dist/) on the real server, on its home page.
 *
 * Needs Chromium (CHROMIUM_PATH or /usr/bin/chromium); without it, prints why and skips.
 * Run alone: npx tsx bench/activity.ts
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { makeTempDir } from '../scripts/lib/app-server.mjs';
import { ensureBuilt } from './bundle';
import { countReactCommits, launchChromium, median, scriptMs, signInThroughPage, withAppServer } from './lib/browser';
import { heading, isMain, printTable } from './lib/table';

const pagesDir = fileURLToPath(new URL('./pages', import.meta.url));
const rounds = Number(process.env.BENCH_ACTIVITY_ROUNDS ?? 2);
const eventCount = 1000;
/**
 * At most one event per 5 ms. In practice Chromium acknowledges a mouse move at its next frame, so
 * the events arrive at about 60 a second, as from a real mouse: 1,000 take about 16 s.
 */
const eventGapMs = 5;

interface Sample {
  /** Commits while the page loaded (and signed in): shows the counter works where the events cause none. */
  loadCommits: number;
  scriptMs: number;
  commits: number;
  requests: number;
  wallMs: number;
}

/** Builds bench/pages (React production build) into a temp folder and serves it, with `POST /ping` -> 204. */
async function servePeerPages(): Promise<{ url: string; pings: () => number; close(): Promise<void> }> {
  const out = makeTempDir('idle-session-bench-pages-');
  await build({
    configFile: false,
    root: pagesDir,
    base: './',
    mode: 'production',
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir: out.path, emptyOutDir: true },
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
        const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.html') ? 'text/html' : 'text/plain';
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

/** Sends the 1,000 events at `eventGapMs` intervals and measures what they cost the page. */
async function measure(page: Page, commits: () => Promise<number>, requests: () => number): Promise<Sample> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.mouse.move(10, 10);
  // Let the load's own work (fetches, effects) finish so it is not counted.
  await page.waitForLoadState('networkidle');
  const before = { script: await scriptMs(cdp), commits: await commits(), requests: requests() };
  const started = performance.now();
  for (let i = 0; i < eventCount; i++) {
    if (i % 20 === 18 || i % 20 === 19) {
      // A key press: keyDown then keyUp ('a', on the body: nothing is focused, no text changes).
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
  // One frame, so work the last events scheduled for rendering is counted too.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined))));
  const wallMs = performance.now() - started;
  const sample = {
    loadCommits: before.commits,
    scriptMs: (await scriptMs(cdp)) - before.script,
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
          const context = await browser.newContext();
          const page = await context.newPage();
          const commits = await countReactCommits(page);
          await page.goto(`${peers.url}/${query}`);
          await page.getByRole('heading', { name: 'Hello World!' }).waitFor();
          const sample = await measure(page, commits, peers.pings);
          await context.close();
          return sample;
        },
      });
      const scenarios: Scenario[] = [
        peerScenario('bare React (baseline)', ''),
        peerScenario('react-idle-timer defaults + fetch ping per onAction (peer)', '?peer=idle-timer'),
        {
          name: 'our app, signed in (home page)',
          async run() {
            const context = await browser.newContext();
            const page = await context.newPage();
            const commits = await countReactCommits(page);
            let apiRequests = 0;
            page.on('request', (request) => {
              if (new URL(request.url()).pathname.startsWith('/api/')) apiRequests++;
            });
            await signInThroughPage(page, server.url, `bench-activity-${process.pid}-${user++}`);
            const sample = await measure(page, commits, () => apiRequests);
            await context.close();
            return sample;
          },
        },
      ];
      const samples = new Map<string, Sample[]>(scenarios.map((scenario) => [scenario.name, []]));
      for (let round = 0; round < rounds; round++) {
        // A different order each round, so a noisy moment does not always land on the same page.
        const order = scenarios.map((_, k) => scenarios[(k + round) % scenarios.length]);
        for (const scenario of order) samples.get(scenario.name)!.push(await scenario.run(browser));
      }
      const baseline = median(samples.get(scenarios[0].name)!.map((sample) => sample.scriptMs));
      console.log(
        `${rounds} round${rounds === 1 ? '' : 's'}, median (range); script time is the renderer's ScriptDuration (CDP Performance.getMetrics) during the events; ` +
          'commits counted through React\u2019s DevTools hook (onCommitFiberRoot), in every page alike.',
      );
      printTable(
        [
          'page',
          'script ms / 1000 events',
          'vs bare React',
          'React commits',
          'requests sent',
          'wall s',
          'commits at load',
        ],
        scenarios.map(({ name }) => {
          const list = samples.get(name)!;
          const script = list.map((sample) => sample.scriptMs);
          const range = (values: number[], digits = 0) =>
            `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
          return [
            name,
            range(script, 1),
            `+${(median(script) - baseline).toFixed(1)} ms`,
            range(list.map((sample) => sample.commits)),
            range(list.map((sample) => sample.requests)),
            (median(list.map((sample) => sample.wallMs)) / 1000).toFixed(1),
            range(list.map((sample) => sample.loadCommits)),
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
