// Stopping a child process the one way scripts, tests and benchmarks all need: ask it to stop
// (SIGTERM by default), wait for it to exit, and SIGKILL it if it is still there after a grace
// period. Plain JavaScript so that scripts/*.mjs can use it without a build.

/**
 * Resolves with how `child` exited, `{ code, signal }`, at once if it already has.
 * @param {import('node:child_process').ChildProcess} child
 */
export function childExit(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * Asks `child` to stop, then waits for it to exit; SIGKILL after `graceMs` if it has not.
 * Resolves with how it exited. Does nothing to a child that has already exited.
 * @param {import('node:child_process').ChildProcess} child
 * @param {{ graceMs?: number, ask?: () => void }} [options] `graceMs` defaults to 10 s; `ask`
 *   defaults to sending SIGTERM (a child with an IPC channel may be asked with a message instead).
 */
export async function stopChildProcess(child, { graceMs = 10_000, ask = () => child.kill('SIGTERM') } = {}) {
  const exit = childExit(child);
  if (child.exitCode !== null || child.signalCode !== null) return exit;
  ask();
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exit;
  } finally {
    clearTimeout(killer);
  }
}
