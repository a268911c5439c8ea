/**
 * Where the activity bench's script CPU goes, call by call (not part of `npm run bench`): the same
 * 1,000 input events as bench/activity.ts on bare React in react-router (its baseline) and on our
 * app, signed in, in paired rounds, under a trace that names every call from the browser into
 * JavaScript on the page's main thread (`traceScriptCpu` with `entries`: the task it ran in, the
 * function called, its thread time). Prints, per side, the calls grouped by task and function,
 * named through the hidden source maps, with their count, CPU and CPU per call; then the app's
 * own calls (into src/, and microtasks: a heartbeat's answer) against bare React's script CPU.
 *
 * Where bench/activity.ts's totals move by 10% and more between rounds on this machine, the
 * calls into our own code are few, and their sum is what the session adds: read that line.
 * The trace's `devtools.timeline` category makes every call dearer than in bench/activity.ts,
 * on both sides alike: compare within this script's output.
 *
 * Run alone: npx tsx bench/activity-entries.ts   (BENCH_ENTRIES_ROUNDS, default 3)
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { measure, openPeerPage, openSignedInApp, servePeerPages, type Sample } from './activity';
import { ensureBuilt } from './bundle';
import { launchChromium, withAppServer } from './lib/browser';
import { frameNamer } from './lib/source-map';
import { median, printTable } from './lib/table';

const rounds = Number(process.env.BENCH_ENTRIES_ROUNDS ?? 3);
const nameFrame = frameNamer(fileURLToPath(new URL('../dist/assets', import.meta.url)));

type Side = 'bare React in react-router' | 'our app, signed in';

/** A sample's calls by "task: function", each with its count and CPU in µs. */
async function grouped(sample: Sample): Promise<Map<string, { calls: number; cpuUs: number }>> {
  const groups = new Map<string, { calls: number; cpuUs: number }>();
  for (const entry of sample.entries) {
    const name = `${entry.task}: ${entry.frame ? await nameFrame(entry.frame) : '(no function named)'}`;
    const group = groups.get(name) ?? { calls: 0, cpuUs: 0 };
    group.calls++;
    group.cpuUs += entry.cpuUs;
    groups.set(name, group);
  }
  return groups;
}

const browser = await launchChromium();
if (typeof browser === 'string') throw new Error(browser);
const peers = await servePeerPages('hidden');
if (!ensureBuilt()) process.exit(1);
const samples: Record<Side, Sample[]> = { 'bare React in react-router': [], 'our app, signed in': [] };
/** Each side's rounds, grouped: named while the pages' server still answers for their source maps. */
const groupedRounds: Record<Side, Map<string, { calls: number; cpuUs: number }>[]> = {
  'bare React in react-router': [],
  'our app, signed in': [],
};
try {
  await withAppServer({}, async (server) => {
    let user = 0;
    const run: Record<Side, () => Promise<Sample>> = {
      async 'bare React in react-router'() {
        const opened = await openPeerPage(browser, peers, '?page=router');
        const sample = await measure(opened.page, opened.commits, opened.requests, browser, { entries: true });
        await opened.close();
        return sample;
      },
      async 'our app, signed in'() {
        const opened = await openSignedInApp(browser, server.url, user++);
        const sample = await measure(opened.page, opened.commits, opened.requests, browser, { entries: true });
        await opened.close();
        return sample;
      },
    };
    const sides = Object.keys(run) as Side[];
    for (let round = 0; round < rounds; round++) {
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        const sample = await run[side]();
        samples[side].push(sample);
        console.log(
          `round ${round + 1}, ${side}: script CPU ${sample.scriptCpuMs.toFixed(1)} ms, ${sample.scriptCalls} calls, ` +
            `load average ${loadavg()[0].toFixed(2)}`,
        );
      }
    }
    for (const side of sides) groupedRounds[side] = await Promise.all(samples[side].map(grouped));
  });
} finally {
  await peers.close();
  await browser.close();
}

/** The session's own calls: into src/, and microtasks (a heartbeat's answer; bare React runs none in the burst). */
const ours = (name: string) => / src\//.test(name) || name.startsWith('microtasks:');
const oursPerRound: number[] = [];
for (const [side, list] of Object.entries(samples) as [Side, Sample[]][]) {
  const perRound = groupedRounds[side];
  const names = new Set(perRound.flatMap((groups) => [...groups.keys()]));
  const rows = [...names].map((name) => {
    const calls = median(perRound.map((groups) => groups.get(name)?.calls ?? 0));
    const cpuMs = median(perRound.map((groups) => (groups.get(name)?.cpuUs ?? 0) / 1000));
    return { name, calls, cpuMs };
  });
  rows.sort((a, b) => b.cpuMs - a.cpuMs);
  if (side === 'our app, signed in')
    for (const groups of perRound)
      oursPerRound.push(
        [...groups].filter(([name]) => ours(name)).reduce((sum, [, group]) => sum + group.cpuUs, 0) / 1000,
      );
  console.log(
    `\n${side}: script CPU ${median(list.map((s) => s.scriptCpuMs)).toFixed(1)} ms (median of ${rounds}); calls, medians:`,
  );
  printTable(
    ['task: function', 'calls', 'CPU ms', 'µs per call'],
    rows
      .filter((row) => row.calls > 0)
      .map((row) => [
        row.name,
        String(row.calls),
        row.cpuMs.toFixed(2),
        row.calls ? ((row.cpuMs * 1000) / row.calls).toFixed(0) : '',
      ]),
  );
}
const bare = median(samples['bare React in react-router'].map((s) => s.scriptCpuMs));
const oursMs = median(oursPerRound);
console.log(
  `\nThe app's own calls (into src/, and microtasks): ${oursMs.toFixed(1)} ms of script CPU per 1,000 events ` +
    `(rounds ${oursPerRound.map((ms) => ms.toFixed(1)).join(', ')}), ${((oursMs / bare) * 100).toFixed(1)}% of bare React's ` +
    `${bare.toFixed(1)} ms.`,
);
