#!/usr/bin/env node
// `npm test`: every test. After the build (when stale), the unit and component tests (Vitest) and
// the end-to-end tests (scripts/e2e.mjs: type check, Playwright) run at once. The end-to-end suite
// leaves most of the two CI cores idle while its timing tests wait on real timeouts, and Vitest
// runs in that idle CPU at a lower priority of its own (scripts/lib/low-priority.sh: a session of
// its own whose scheduling group is at nice 10), so the timing tests' processes get a core first
// (decision 030). Vitest's report is held and printed after the end-to-end one, so that the two
// never interleave; a line says when it is done. Exits 1 when either fails.
//
// Where a lower priority cannot be had (Windows, or a session group that cannot be lowered), the
// two run one after the other. `npm run test:unit` and `npm run test:e2e` run each alone.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/app-server.mjs';
import { childExit } from './lib/child-process.mjs';

const vitest = [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run'];
const e2e = [join(repoRoot, 'scripts/e2e.mjs'), ...process.argv.slice(2)];

const lowPriority = join(repoRoot, 'scripts/lib/low-priority.sh');

/**
 * Whether a command started detached through low-priority.sh really runs at a lower priority than
 * the end-to-end tests: yes where the kernel does not group the CPU by session (nice then works
 * across the machine), or where it does and the wrapper could lower its session's group. Where
 * that group stays at nice 0 it would be an equal of every browser, and the timing tests would lose
 * their cores (decision 030): then the two run one after the other.
 */
function lowPriorityWorks() {
  if (process.platform === 'win32') return false;
  let grouped;
  try {
    grouped = readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
  } catch {
    return true; // no autogroup on this kernel (or not Linux): nice is what counts
  }
  if (!grouped) return true;
  const probe = spawnSync('sh', [lowPriority, 'cat', '/proc/self/autogroup'], { detached: true, encoding: 'utf8' });
  return /\bnice 10\b/.test(probe.stdout ?? '');
}

if (!lowPriorityWorks()) {
  console.log('test: the unit tests cannot run at a lower priority here; unit tests first, then end-to-end');
  for (const args of [vitest, e2e]) {
    const { status } = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' });
    if (status !== 0) process.exit(status ?? 1);
  }
  process.exit(0);
}

// Built first when stale, once: the end-to-end suite and Vitest's process tests (which start the
// compiled server) would otherwise both rebuild it at once, each reading what the other writes.
const built = spawnSync(process.execPath, [join(repoRoot, 'scripts/build.mjs'), '--if-stale'], {
  cwd: repoRoot,
  stdio: 'inherit',
});
if (built.status !== 0) process.exit(built.status ?? 1);

const started = performance.now();
const seconds = () => Math.round((performance.now() - started) / 1000);

// Detached: the leader of a session of its own, so that low-priority.sh can lower that session's
// scheduling group, and a Ctrl-C meant for the end-to-end run does not reach it (see below).
const unit = spawn('sh', [lowPriority, process.execPath, ...vitest], {
  cwd: repoRoot,
  detached: true,
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {}) },
});
const report = [];
unit.stdout.on('data', (chunk) => report.push(chunk));
unit.stderr.on('data', (chunk) => report.push(chunk));
const unitDone = childExit(unit).then(({ code, signal }) => {
  const passed = code === 0;
  console.log(
    `\ntest: unit tests (Vitest) ${passed ? 'passed' : `FAILED (${signal ?? `exit ${code}`})`} in ${seconds()} s; their report follows the end-to-end tests'.\n`,
  );
  return passed;
});

// The unit tests' session is not the terminal's, so a Ctrl-C reaches only the end-to-end run (which
// stops, and this script reports); a kill of this script is passed on to both.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    stopping = true;
    try {
      process.kill(-unit.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    if (signal !== 'SIGINT') endToEnd.kill(signal);
  });
}

const endToEnd = spawn(process.execPath, e2e, { cwd: repoRoot, stdio: 'inherit' });
const endToEndPassed = await childExit(endToEnd).then(({ code }) => code === 0);
const unitPassed = await unitDone;

console.log('\ntest: ==== unit and component tests (Vitest) ====\n');
process.stdout.write(Buffer.concat(report));
console.log(
  `\ntest: unit tests ${unitPassed ? 'passed' : 'FAILED'}, end-to-end tests ${endToEndPassed ? 'passed' : 'FAILED'}${stopping ? ' (stopped)' : ''}, in ${seconds()} s`,
);
process.exitCode = unitPassed && endToEndPassed && !stopping ? 0 : 1;
