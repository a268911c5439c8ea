/**
 * `npm run bench`: every benchmark in turn. Each prints its figures beside a baseline measured
 * in the same run; nothing is asserted, and a part that cannot run says so and is skipped.
 */
import { cpus } from 'node:os';
import { runBundleBench } from './bundle';
import { runFootprintBench } from './footprint';
import { runHeartbeatBench } from './heartbeats';
import { runServerBench } from './server';

const started = Date.now();
console.log(
  `idle-session benchmarks: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.versions.node}, ${new Date().toISOString()}`,
);

const parts: [string, () => Promise<void>][] = [
  ['heartbeats', runHeartbeatBench],
  ['server', runServerBench],
  ['footprint', runFootprintBench],
  ['bundle', runBundleBench],
];
for (const [name, run] of parts) {
  try {
    await run();
  } catch (error) {
    // A benchmark that cannot run is reported, never a failed build.
    console.log(`\nskipped: the ${name} benchmark stopped: ${(error as Error).stack ?? error}`);
  }
}
console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
