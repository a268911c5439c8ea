import type { SessionConfig } from './policy';
import type { FailureCounter, SessionStore } from '../stores/store';

/**
 * Sign-in throttling that slows online guessing without letting anyone lock anyone else out
 * (OWASP's "device cookies"; docs/decisions/017-login-throttling-and-origin.md). Every counter
 * lives in the store, so the limits hold across server instances.
 *
 * - A device with a valid device token for the username is held back only by its own failures
 *   (`maxFailuresPerDevice` per token).
 * - Any other device: by the failures for this username from its client address
 *   (`maxFailuresPerUserAndClient`), and by those from all devices without a token for it
 *   (`maxFailuresPerUserFromNewDevices`: a guess spread over many addresses still stops).
 * - Per client address (IPv6 by /64): failures only; a success gives its count back.
 * - After `maxConsecutiveFailures` for a username, every attempt from a device without a valid
 *   token for it is refused for `lockoutMs`; the count starts again from 0 when the lock fires,
 *   so it takes a whole new run of failures to lock it again.
 */

/** One counter an attempt goes on: `max` failures in `windowMs`; `enforced` when it holds the attempt back. */
interface Limit {
  key: string;
  max: number;
  windowMs: number;
  enforced: boolean;
  /** Cleared, not just given back, on a success: the user's own earlier typos are forgiven. */
  clearOnSuccess: boolean;
}

/** Who is trying: the canonical username, the client's address group, and the device if it has a token. */
export interface Attempt {
  username: string;
  /** `clientGroup` of the address. */
  client: string;
  /** The hash of a device token that is valid for `username`, or undefined. */
  trustedDevice: string | undefined;
}

/** The counters an attempt is counted on and checked against. */
function limitsFor(attempt: Attempt, config: SessionConfig): Limit[] {
  const { username, client, trustedDevice } = attempt;
  const clientLimit = (enforced: boolean): Limit => ({
    key: `client:${client}`,
    max: config.maxFailuresPerClient,
    windowMs: config.loginWindowMs,
    enforced,
    clearOnSuccess: false,
  });
  if (trustedDevice !== undefined) {
    return [
      {
        key: `device:${trustedDevice}`,
        max: config.maxFailuresPerDevice,
        windowMs: config.loginWindowMs,
        enforced: true,
        clearOnSuccess: true,
      },
      // Still a failure from that address, but other people there do not hold this device back.
      clientLimit(false),
    ];
  }
  return [
    {
      // JSON: a username may hold any separator, and the two parts must not run together.
      key: `user-client:${JSON.stringify([username, client])}`,
      max: config.maxFailuresPerUserAndClient,
      windowMs: config.loginWindowMs,
      enforced: true,
      clearOnSuccess: true,
    },
    {
      key: `user-new-devices:${username}`,
      max: config.maxFailuresPerUserFromNewDevices,
      windowMs: config.newDeviceWindowMs,
      enforced: true,
      clearOnSuccess: false,
    },
    clientLimit(true),
  ];
}

const consecutiveKey = (username: string) => `user-consecutive:${username}`;
const lockoutKey = (username: string) => `user-lockout:${username}`;
/** Consecutive failures are counted within a day of the first; a success clears them. */
const consecutiveWindowMs = 24 * 60 * 60_000;

/** `locked`: the username's lock (LOGIN_LOCK_FAILURES) is what refuses it (for the metrics; the answer is the same). */
export type ThrottleVerdict =
  { allowed: true; counted: Limit[] } | { allowed: false; retryAfterSeconds: number; locked: boolean };

/**
 * Checks an attempt and, when no limit holds it back, counts it as a failure *before* the
 * password is checked, atomically in the store: a burst of parallel guesses cannot all pass a
 * check made before any of them was recorded. An attempt a limit refuses after counting gives
 * its counts back (a refused attempt is no failure, and must not push other counters on).
 * An attempt refused by the first check writes nothing.
 */
export async function admitAttempt(
  store: SessionStore,
  config: SessionConfig,
  attempt: Attempt,
  now: number,
): Promise<ThrottleVerdict> {
  const limits = limitsFor(attempt, config);
  const enforced = limits.filter((limit) => limit.enforced);
  // The lock holds back untrusted devices only (OWASP's device cookies): a browser the user
  // signed in on before is held back by its own failures, never by other people's.
  const [lockout, ...current] = await Promise.all([
    attempt.trustedDevice === undefined ? store.getFailures(lockoutKey(attempt.username), now) : undefined,
    ...enforced.map((limit) => store.getFailures(limit.key, now)),
  ]);
  // These counters do not hold this attempt yet: it would be one more.
  const waitBefore = Math.max(
    secondsUntil(lockout?.resetAt, now),
    ...enforced.map((limit, i) => secondsBlocked(current[i], limit.max - 1, now)),
  );
  if (waitBefore > 0)
    return { allowed: false, retryAfterSeconds: waitBefore, locked: secondsUntil(lockout?.resetAt, now) > 0 };

  const counted = await Promise.all(limits.map((limit) => store.addFailure(limit.key, now, limit.windowMs)));
  // These counters already hold this attempt.
  const waitAfter = Math.max(
    ...limits.map((limit, i) => (limit.enforced ? secondsBlocked(counted[i], limit.max, now) : 0)),
  );
  if (waitAfter > 0) {
    await giveBack(store, limits, now);
    return { allowed: false, retryAfterSeconds: waitAfter, locked: false };
  }
  return { allowed: true, counted: limits };
}

/**
 * After a wrong password: one more consecutive failure for the username, and the lockout when
 * that reaches `maxConsecutiveFailures`. The lock clears the count: otherwise, once it ended, one
 * more failure would lock the username again at once, and one guess an hour would keep it locked.
 * Returns the count when it locked the username.
 */
export async function recordFailure(
  store: SessionStore,
  config: SessionConfig,
  username: string,
  now: number,
): Promise<{ lockedAfter: number } | undefined> {
  const consecutive = await store.addFailure(consecutiveKey(username), now, consecutiveWindowMs);
  if (consecutive.count < config.maxConsecutiveFailures) return undefined;
  await store.addFailure(lockoutKey(username), now, config.lockoutMs);
  await store.clearFailures(consecutiveKey(username));
  return { lockedAfter: consecutive.count };
}

/** After the right password: the attempt was no failure. Gives its counts back and forgives the user's own. */
export async function recordSuccess(store: SessionStore, counted: Limit[], username: string, now: number) {
  await Promise.all([
    ...counted.map((limit) =>
      limit.clearOnSuccess ? store.clearFailures(limit.key) : store.takeBackFailure(limit.key, now),
    ),
    store.clearFailures(consecutiveKey(username)),
  ]);
}

function giveBack(store: SessionStore, limits: Limit[], now: number): Promise<void[]> {
  return Promise.all(limits.map((limit) => store.takeBackFailure(limit.key, now)));
}

/** Seconds until `counter`'s window resets when it holds more than `allowed` failures, else 0. */
function secondsBlocked(counter: FailureCounter | undefined, allowed: number, now: number): number {
  return counter && counter.count > allowed ? secondsUntil(counter.resetAt, now) : 0;
}

/** Whole seconds until `time`, or 0 when it is not after `now`. */
function secondsUntil(time: number | undefined, now: number): number {
  return time !== undefined && time > now ? Math.ceil((time - now) / 1000) : 0;
}

/**
 * The client an address stands for in the per-client budget. An IPv4-mapped IPv6 address
 * (`::ffff:1.2.3.4`, as a dual-stack socket reports IPv4 peers) is the IPv4 client; any other
 * IPv6 address stands for its /64, which one subscriber usually holds whole and can rotate
 * through. Anything that is not an IP address (a test's label, `unknown`) is its own client.
 */
export function clientGroup(address: string): string {
  if (!address.includes(':')) return address;
  const groups = ipv6Groups(address);
  if (!groups) return address;
  const isMappedIpv4 = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (isMappedIpv4) return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (zone and embedded IPv4 allowed), or undefined. */
export function ipv6Groups(address: string): number[] | undefined {
  const text = address.replace(/%.*$/, '');
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    const pieces = part.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        const octets = piece.split('.');
        if (octets.length !== 4 || !octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)) {
          return undefined;
        }
        const [a, b, c, d] = octets.map(Number);
        groups.push((a << 8) | b, (c << 8) | d);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        groups.push(Number.parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...Array<number>(missing).fill(0), ...tail] : undefined;
}
