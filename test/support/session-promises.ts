/**
 * What the server promised, and whether it kept it after a crash: every 200 or 201 with a session
 * timing promises that session lives at least until `sentAt + min(idleExpiresInMs,
 * absoluteExpiresInMs)` (the request left before the server read its clock). Used by the SIGKILL
 * test (test/server/main-process.test.ts) and `npm run soak`'s kill run.
 */
import type { SessionTiming } from '../../shared/contract';

/** One session's promise, in local `Date.now()` time. */
export interface SessionPromise {
  /** `sid=<id>`, as sent in `Cookie`. */
  cookie: string;
  /** The session lives at least until then. */
  aliveUntilAtLeast: number;
}

/** The promise a 200/201 answer to a request that left at `sentAt` makes. */
export function promiseOf(cookie: string, sentAt: number, timing: SessionTiming): SessionPromise {
  return { cookie, aliveUntilAtLeast: sentAt + Math.min(timing.idleExpiresInMs, timing.absoluteExpiresInMs) };
}

export interface PromiseCheck {
  /** Sessions checked whose promise still runs. */
  checked: number;
  /** Of those, answered 401: gone although an answer had promised them. */
  lost: number;
  /** Of those, alive but ending earlier than promised (a heartbeat's extension lost). */
  shortened: number;
}

/**
 * Reads every session (`GET /api/session`, which extends nothing) whose promise still runs, at
 * most `concurrency` at once, and counts those the server lost or cut short. `get` sends the
 * request to the server under test. `stillPromised`, asked after each answer, drops a promise its
 * owner withdrew meanwhile (a user who signed out while the check ran).
 */
export async function checkPromises(
  promises: Iterable<SessionPromise>,
  get: (cookie: string) => Promise<Response>,
  {
    concurrency = 20,
    stillPromised = () => true,
  }: { concurrency?: number; stillPromised?: (promise: SessionPromise) => boolean } = {},
): Promise<PromiseCheck> {
  const result: PromiseCheck = { checked: 0, lost: 0, shortened: 0 };
  const queue = [...promises];
  async function worker() {
    for (let promise = queue.shift(); promise; promise = queue.shift()) {
      const response = await get(promise.cookie);
      const answeredAt = Date.now();
      // A promise that has run out by now, or was withdrawn, proves nothing either way.
      if (promise.aliveUntilAtLeast <= answeredAt || !stillPromised(promise)) continue;
      result.checked++;
      if (response.status === 401) {
        result.lost++;
        continue;
      }
      if (response.status !== 200) throw new Error(`GET /api/session answered ${response.status}`);
      const { session } = (await response.json()) as { session: SessionTiming };
      // The server read its clock before we got the answer: what is left is at least this.
      if (answeredAt + session.idleExpiresInMs < promise.aliveUntilAtLeast - 1) result.shortened++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}
