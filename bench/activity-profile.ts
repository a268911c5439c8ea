/**
 * Where the activity bench's script time goes (not part of `npm run bench`): the same 1,000 input
 * events as bench/activity.ts, on bare React in react-router (the baseline) and on our app (signed in), in paired rounds, with
 * Chromium's CPU profiler on (CDP Profiler, 100 µs sampling) during the burst. Prints each side's
 * profile self time per package, per entry point (a listener or a timer with all it called) and
 * per function, named through the hidden source maps (ours in dist/assets, bench/pages' built
 * with them here).
 *
 * The profiler samples by the clock: on a loaded machine a sample lands wherever the thread was
 * when it lost its core, so compare shares within a side and between sides, not absolute times.
 * For CPU figures, bench/activity.ts's script CPU (a trace's thread time) is the one to read.
 *
 * Run alone: npx tsx bench/activity-profile.ts   (BENCH_PROFILE_ROUNDS, default 2)
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { measure, openPeerPage, openSignedInApp, servePeerPages, type Sample } from './activity';
import { ensureBuilt } from './bundle';
import { launchChromium, withAppServer } from './lib/browser';
import { frameNamer } from './lib/source-map';

const rounds = Number(process.env.BENCH_PROFILE_ROUNDS ?? 2);
const label = frameNamer(fileURLToPath(new URL('../dist/assets', import.meta.url)));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time (ms) per label, and per package ("react-dom", "src", "(program)", ...). */
async function selfTimes(profile: Profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, k) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[k + 1] ?? 0)));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byLabel = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of selfUs) {
    let name = await label(byId.get(id)!.callFrame);
    // Built-ins have no source: name them by their caller.
    if (!byId.get(id)!.callFrame.url && parent.has(id) && !name.startsWith('('))
      name = `${name} <- ${await label(byId.get(parent.get(id)!)!.callFrame)}`;
    byLabel.set(name, (byLabel.get(name) ?? 0) + us / 1000);
    const source = name.includes(' <- ') ? `(native) ${name}` : (name.split(' ')[1] ?? name);
    const pkg = name.includes(' <- ')
      ? `native: ${name.split(' <- ')[0]}`
      : name.startsWith('(')
        ? name
        : source.startsWith('src/')
          ? 'src (ours)'
          : source.includes('/')
            ? source.split('/')[0]
            : `other (${source.split(':')[0] || 'native'})`;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us / 1000);
  }
  // Inclusive time per entry point: the outermost JS frame of each sample (a listener, a timer's
  // callback, a promise reaction), with everything it called.
  const byEntry = new Map<string, number>();
  for (const [id, us] of selfUs) {
    let entry = id;
    for (let at = id; parent.has(at) && parent.get(at) !== profile.nodes[0].id; at = parent.get(at)!)
      entry = parent.get(at)!;
    const name = await label(byId.get(entry)!.callFrame);
    byEntry.set(name, (byEntry.get(name) ?? 0) + us / 1000);
  }
  return { byLabel, byPackage, byEntry };
}

async function profiled(page: Page, commits: () => Promise<number>, requests: () => number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await page.waitForLoadState('networkidle');
  await cdp.send('Profiler.start');
  const sample = await measure(page, commits, requests);
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
  await cdp.detach();
  const dom = await page.evaluate(() => ({
    styleRules: [...document.styleSheets].reduce((n, sheet) => n + sheet.cssRules.length, 0),
  }));
  return { sample, ...(await selfTimes(profile)), dom };
}

type Result = Awaited<ReturnType<typeof profiled>>;

const browser = await launchChromium();
if (typeof browser === 'string') throw new Error(browser);
const peers = await servePeerPages('hidden');
if (!ensureBuilt()) process.exit(1);
const results: Record<'bare' | 'app', Result[]> = { bare: [], app: [] };
try {
  await withAppServer({}, async (server) => {
    let user = 0;
    const sides = {
      async bare() {
        const opened = await openPeerPage(browser, peers, '?page=router');
        const result = await profiled(opened.page, opened.commits, opened.requests);
        await opened.close();
        return result;
      },
      async app() {
        const opened = await openSignedInApp(browser, server.url, user++);
        const result = await profiled(opened.page, opened.commits, opened.requests);
        await opened.close();
        return result;
      },
    };
    for (let round = 0; round < rounds; round++) {
      const order: ('bare' | 'app')[] = round % 2 ? ['app', 'bare'] : ['bare', 'app'];
      for (const side of order) {
        const result = await sides[side]();
        results[side].push(result);
        const s: Sample = result.sample;
        console.log(
          `round ${round + 1} ${side}: ScriptDuration ${s.scriptMs.toFixed(1)} ms, commits ${s.commits}, wall ${(s.wallMs / 1000).toFixed(1)} s, ` +
            `elements ${s.elements}, CSS rules ${result.dom.styleRules}, load ${loadavg()[0].toFixed(2)}`,
        );
      }
    }
  });
} finally {
  await peers.close();
  await browser.close();
}

const total = (map: Map<string, number>, skip: RegExp) =>
  [...map].filter(([name]) => !skip.test(name)).reduce((sum, [, ms]) => sum + ms, 0);
for (const side of ['bare', 'app'] as const) {
  console.log(`\n== ${side}: profile self time, sum of ${rounds} rounds ==`);
  const byPackage = new Map<string, number>();
  const byLabel = new Map<string, number>();
  const byEntry = new Map<string, number>();
  for (const result of results[side]) {
    for (const [k, v] of result.byEntry) byEntry.set(k, (byEntry.get(k) ?? 0) + v);
    for (const [k, v] of result.byPackage) byPackage.set(k, (byPackage.get(k) ?? 0) + v);
    for (const [k, v] of result.byLabel) byLabel.set(k, (byLabel.get(k) ?? 0) + v);
  }
  const scriptSum = results[side].reduce((sum, r) => sum + r.sample.scriptMs, 0);
  console.log(
    `ScriptDuration sum ${scriptSum.toFixed(1)} ms; profiled non-idle JS (not program/idle/GC) ${total(byPackage, /^\((idle|program|garbage collector|root)\)$/).toFixed(1)} ms`,
  );
  for (const [name, ms] of [...byPackage].sort((a, b) => b[1] - a[1]))
    console.log(`  ${ms.toFixed(1).padStart(9)}  ${name}`);
  console.log('  entry points (inclusive):');
  for (const [name, ms] of [...byEntry].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`  ${ms.toFixed(1).padStart(9)}  ${name}`);
  console.log('  top functions:');
  for (const [name, ms] of [...byLabel].sort((a, b) => b[1] - a[1]).slice(0, 30))
    console.log(`  ${ms.toFixed(1).padStart(9)}  ${name}`);
}
