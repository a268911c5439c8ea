import type { SessionConfig } from '../config';
import type { FailureCounter, SessionStore } from '../stores/store';

/** The counters a sign-in attempt is checked against: one per username, one per client. */
export function throttleKeys(username: string, clientAddress: string): { user: string; client: string } {
  // Lower-cased so `Alice` and `alice` share one budget.
  return { user: `user:${username.toLowerCase()}`, client: `client:${clientAddress}` };
}

/**
 * Seconds until a new attempt is accepted, or 0 when it may go ahead now.
 * Counters live in the store, so the limit holds across server instances.
 */
export async function loginRetryAfterSeconds(
  store: SessionStore,
  config: SessionConfig,
  keys: { user: string; client: string },
  now: number,
): Promise<number> {
  const [user, client] = await Promise.all([store.getFailures(keys.user, now), store.getFailures(keys.client, now)]);
  // These counters do not hold the next attempt yet: it would be one more.
  return secondsBlocked({ user, client }, 1, config, now);
}

/**
 * Counts an attempt as a failure *before* the password is checked, atomically in the store, and
 * returns the seconds to wait when this attempt is over a limit (0 when it may go ahead).
 * Counting first means a burst of parallel guesses cannot all pass a check made before any of
 * them was recorded. A successful sign-in then clears the username's counter.
 */
export async function countLoginAttempt(
  store: SessionStore,
  config: SessionConfig,
  keys: { user: string; client: string },
  now: number,
): Promise<number> {
  const [user, client] = await Promise.all([
    store.addFailure(keys.user, now, config.loginWindowMs),
    store.addFailure(keys.client, now, config.loginWindowMs),
  ]);
  // These counters already hold this attempt.
  return secondsBlocked({ user, client }, 0, config, now);
}

/**
 * Whole seconds until every counter that `uncounted` more attempts put over its limit has reset
 * (the later of them), or 0 when none is over.
 */
function secondsBlocked(
  counters: { user: FailureCounter | undefined; client: FailureCounter | undefined },
  uncounted: 0 | 1,
  config: SessionConfig,
  now: number,
): number {
  const resetAtWhenOver = (counter: FailureCounter | undefined, limit: number) =>
    counter && counter.count + uncounted > limit ? counter.resetAt : 0;
  const blockedUntil = Math.max(
    resetAtWhenOver(counters.user, config.maxFailuresPerUser),
    resetAtWhenOver(counters.client, config.maxFailuresPerClient),
  );
  return blockedUntil > now ? Math.ceil((blockedUntil - now) / 1000) : 0;
}
