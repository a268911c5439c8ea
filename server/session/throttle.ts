import type { SessionConfig } from '../config';
import type { SessionStore } from '../stores/store';

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
  const blockedUntil = Math.max(
    user && user.count >= config.maxFailuresPerUser ? user.resetAt : 0,
    client && client.count >= config.maxFailuresPerClient ? client.resetAt : 0,
  );
  return blockedUntil > now ? Math.ceil((blockedUntil - now) / 1000) : 0;
}

export async function recordLoginFailure(
  store: SessionStore,
  config: SessionConfig,
  keys: { user: string; client: string },
  now: number,
): Promise<void> {
  await Promise.all([
    store.addFailure(keys.user, now, config.loginWindowMs),
    store.addFailure(keys.client, now, config.loginWindowMs),
  ]);
}
