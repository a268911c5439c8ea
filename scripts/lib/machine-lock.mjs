// A lock that one process on this machine holds until it exits, however it exits: the end-to-end
// suite takes it before Playwright starts, so that two suites (the two Node lines of `.ci/run`,
// two checkouts) never run at once. Their timing tests need the cores they were measured with
// (decision 030); a second suite's browsers would make them fail now and then.
//
// On Linux it is an abstract Unix socket: the kernel frees the name when the process ends, so a
// crashed or killed holder leaves nothing stale behind. Elsewhere there is no lock (and no wait).
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

/** Tries to take the lock: true when this process holds it now. */
function tryToHold(name) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    server.listen(`\0${name}`, () => {
      server.unref();
      resolve(true);
    });
  });
}

/**
 * Resolves once this process holds the lock `name`, kept until it exits. `onWait` is called once
 * if another process holds it (to say what is waited for); then it tries again every `retryMs`.
 */
export async function holdMachineLock(name, { onWait = () => {}, retryMs = 1_000 } = {}) {
  if (process.platform !== 'linux') return;
  let waited = false;
  while (!(await tryToHold(name))) {
    if (!waited) onWait();
    waited = true;
    await sleep(retryMs);
  }
}

/** True when some process holds the lock `name` now (always false where there is no lock). */
export async function isMachineLockHeld(name) {
  if (process.platform !== 'linux') return false;
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) => (error.code === 'EADDRINUSE' ? resolve(true) : reject(error)));
    server.listen(`\0${name}`, () => server.close(() => resolve(false)));
  });
}

// `node scripts/lib/machine-lock.mjs held <name>`: exits 0 when the lock is held, 1 when not
// (`.ci/run` starts its second Node line once the first line's end-to-end suite holds it).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [command, name] = process.argv.slice(2);
  if (command !== 'held' || !name) {
    console.error('usage: node scripts/lib/machine-lock.mjs held <name>');
    process.exit(2);
  }
  process.exit((await isMachineLockHeld(name)) ? 0 : 1);
}
