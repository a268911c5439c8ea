// A lock that one process on this machine holds until it exits, however it exits: the end-to-end
// suite takes it before Playwright starts, so that two suites (two checkouts, or two Node lines run
// by hand) never run at once. Their timing tests need the cores they were measured with
// (decision 030); a second suite's browsers would make them fail now and then, and its start
// would empty the first one's test-results folder.
//
// The lock is a listening socket on a loopback TCP port derived from its name: the kernel frees it
// when its process ends, so a crashed or killed holder leaves nothing stale behind, and every Node
// version binds it alike. (An abstract Unix socket did not: Node 20 and Node 24 bind the same name
// as two different addresses, and both held the lock at once.)
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** The lock's port: below Linux's ephemeral range (32768 and up), so the OS never hands it out. */
export function lockPort(name) {
  let hash = 0x811c9dc5;
  for (const char of name) hash = Math.imul(hash ^ char.codePointAt(0), 0x01000193) >>> 0;
  return 20_000 + (hash % 10_000);
}

/** Tries to take the lock: true when this process holds it now. */
function tryToHold(name) {
  return new Promise((resolve, reject) => {
    // Nothing is served: a connection is closed at once.
    const server = createServer((socket) => socket.destroy());
    server.once('error', (error) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    server.listen(lockPort(name), '127.0.0.1', () => {
      server.unref();
      resolve(true);
    });
  });
}

/**
 * Resolves once this process holds the lock `name`, kept until it exits. `onWait` is called once
 * if another process holds it (to say what is waited for); then it tries again every `retryMs`.
 * Rejects after `timeoutMs` of waiting, saying which port is held: past any run's length, the
 * holder is more likely another program on that port than a run to wait for.
 */
export async function holdMachineLock(name, { onWait = () => {}, retryMs = 1_000, timeoutMs = Infinity } = {}) {
  const started = Date.now();
  let waited = false;
  while (!(await tryToHold(name))) {
    if (!waited) onWait();
    waited = true;
    if (Date.now() - started >= timeoutMs) {
      throw new Error(
        `127.0.0.1:${lockPort(name)} (the lock ${name}) was still held after ${Math.round(timeoutMs / 1000)} s of waiting`,
      );
    }
    await sleep(retryMs);
  }
}
