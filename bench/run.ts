/**
 * `npm run bench`: every benchmark in turn. Each prints its figures beside a baseline measured
 * in the same run; nothing is asserted, and a part that cannot run says so and is skipped.
 *
 * The server part runs twice: here, on the Node that runs this, and as a whole on each other
 * pinned Node line (scripts/with-node.mjs; Node 24 on a Node 20 machine), in a child process with
 * its own server children, so each table compares our server and its peers on one runtime.
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { currentLine, knownLines, pinnedVersions } from '../scripts/lib/node-lines.mjs';
import { runActivityBench } from './activity';
import { runBundleBench } from './bundle';
import { runFootprintBench } from './footprint';
import { runHeartbeatBench } from './heartbeats';
import { runMetricsCostBench } from './metrics-cost';
import { heading } from './lib/table';
import { runServerBench } from './server';
import { runTimingBench } from './timing';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const withNode = fileURLToPath(new URL('../scripts/with-node.mjs', import.meta.url));
const serverBench = fileURLToPath(new URL('./server.ts', import.meta.url));

/** bench/server.ts, whole, on another Node line; its output goes straight to ours. */
function runServerBenchOn(line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [withNode, line, '--', 'node', '--import', 'tsx', serverBench], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`bench/server.ts on Node ${line} exited with ${code ?? signal}`)),
    );
  });
}

const started = Date.now();
console.log(
  `idle-session benchmarks: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.versions.node}, ${new Date().toISOString()}`,
);

const otherLines = knownLines.filter((line) => line !== currentLine);
const parts: [string, () => Promise<void>][] = [
  ['heartbeats', runHeartbeatBench],
  [
    `server (Node ${process.versions.node})`,
    async () => {
      heading(`Node ${process.versions.node}: the server part, in this process`);
      await runServerBench();
    },
  ],
  ...otherLines.map((line): [string, () => Promise<void>] => [
    `server (Node ${pinnedVersions[line]})`,
    async () => {
      heading(`Node ${pinnedVersions[line]}: the server part, run whole with scripts/with-node.mjs ${line}`);
      await runServerBenchOn(line);
    },
  ]),
  ['metrics cost', runMetricsCostBench],
  ['footprint', runFootprintBench],
  ['bundle', runBundleBench],
  ['activity', runActivityBench],
  ['timing', runTimingBench],
];
for (const [name, run] of parts) {
  try {
    await run();
  } catch (error) {
    // A benchmark that cannot run is reported, never a failed build.
    console.log(`\nskipped: the ${name} benchmark stopped: ${(error as Error).stack ?? error}`);
  }
}
// Node 20 is past its end of life: a server target (such as heartbeats against the peer) holds
// only if it holds on the newest tested line, the one deployments run.
const judgedLine = [...knownLines].sort((a, b) => Number(b) - Number(a))[0];
console.log(`\nServer targets are judged on the Node ${judgedLine} table, the newest line tested.`);
console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
