#!/usr/bin/env node
// `npm run test:e2e`: the end-to-end tests (Playwright, system Chromium) against the production
// build on the real server. Without Chromium it says so loudly and skips (exit 0), except under
// CI=true, where a missing browser is a failure (exit 1). Arguments go to `playwright test`.
//
// The type check always runs; the build only when its inputs changed since the last one
// (scripts/build.mjs --if-stale): its output does not depend on the Node that runs it (esbuild's
// target is fixed, vite's output is JavaScript), so the second `npm test` of `.ci/run`, on Node 24,
// tests the same build as the first without making it again. Playwright starts once no other
// end-to-end run holds this machine's lock (scripts/lib/machine-lock.mjs): two checkouts' suites, or
// two Node lines started by hand, take turns.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { repoRoot } from './lib/app-server.mjs';
import { chromiumPath as chromium } from './lib/chromium.mjs';
import { holdMachineLock, lockPort } from './lib/machine-lock.mjs';

const ci = process.env.CI === 'true';

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

if (!executable(chromium)) {
  const bar = '='.repeat(78);
  console.error(
    [
      '',
      bar,
      `${ci ? 'FAILED' : 'SKIPPED'}: end-to-end tests: Chromium not found at ${chromium} (apt-get install chromium or set CHROMIUM_PATH)`,
      ci
        ? 'CI=true: a missing browser is a failure, not a skip.'
        : 'No end-to-end test ran. Install Chromium to run them.',
      bar,
      '',
    ].join('\n'),
  );
  process.exit(ci ? 1 : 0);
}

const run = (command, args) => {
  const result = spawnSync(command, args, {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, CHROMIUM_PATH: chromium },
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
};

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

const typechecked = run(npm, ['run', 'typecheck']);
if (typechecked !== 0) process.exit(typechecked);
const built = run(process.execPath, ['scripts/build.mjs', '--if-stale']);
if (built !== 0) process.exit(built);
// One suite at a time on this machine (another checkout, another Node line): its timing
// tests need the cores they were measured with. Held until this process exits.
// A whole run takes about 4 minutes here: after 30 of waiting, something else holds the port.
const lock = 'idle-session-e2e';
try {
  await holdMachineLock(lock, {
    timeoutMs: 30 * 60_000,
    onWait: () =>
      console.error(
        `e2e: another end-to-end run is going on this machine (it holds 127.0.0.1:${lockPort(lock)}); waiting for it to end (decision 030)`,
      ),
  });
} catch (error) {
  console.error(
    `e2e: ${error.message}. If no other end-to-end run is going, another program listens there: stop it and run again.`,
  );
  process.exit(1);
}
process.exit(run(npx, ['playwright', 'test', ...process.argv.slice(2)]));
