import type { TimingSample } from '../../lib/api';

/**
 * When to send `POST /api/session/heartbeat` (decision 006), with no knowledge of deadlines or
 * phases: it tracks which activity the server has been told about and decides only when to send.
 */

export type HeartbeatOutcome =
  { ok: true; sample: TimingSample } | { ok: false; kind: 'unauthenticated' | 'network' | 'rejected' };

export interface HeartbeatSchedulerOptions {
  /** When the latest request that told the server of activity left (sign-in, start-up check): the throttle counts from here. */
  startAt: number;
  /** The current heartbeat interval `H`, in ms (it comes with each timing, so it is read each time). */
  intervalMs(): number;
  /** True in the one tab that sends activity heartbeats. */
  isLeader(): boolean;
  send(idleForMs: number): Promise<HeartbeatOutcome>;
  /**
   * Every answer while running. On `ok` the activity it reported is already recorded; on
   * `unauthenticated` the scheduler has stopped for good; on other failures a retry follows.
   */
  onAnswer(outcome: HeartbeatOutcome, activityAt: number): void;
  /** A retry is about to leave; `stay` when it retries a Stay signed in. */
  beforeRetry(stay: boolean): void;
  now(): number;
}

/** Retries of a heartbeat that failed: 1 s, 2 s, 4 s ... at most this. */
export const maxRetryDelayMs = 15_000;

export function createHeartbeatScheduler(options: HeartbeatSchedulerOptions) {
  const { now } = options;
  /** Latest activity any tab has seen. Starts at load: the server's deadline caps it anyway. */
  let lastActivityAt = options.startAt;
  /** Latest activity the server has been told about. */
  let reportedActivityAt = options.startAt;
  /** When the last heartbeat (any tab's) left, for the throttle. */
  let lastHeartbeatAt = options.startAt;
  /** When this tab first held activity the server had not been told about (for the step-in). */
  let pendingSince: number | undefined;
  let inFlight = false;
  /** Stay signed in was chosen while another heartbeat was in flight: send it right after. */
  let stayPending = false;
  let retries = 0;
  let running = false;
  let throttleTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  /** A heartbeat (this tab's or another's) was answered: the server knows of `activityAt`. */
  function heard(sentAt: number, activityAt: number): boolean {
    reportedActivityAt = Math.max(reportedActivityAt, activityAt);
    lastActivityAt = Math.max(lastActivityAt, activityAt);
    lastHeartbeatAt = Math.max(lastHeartbeatAt, sentAt);
    if (reportedActivityAt < lastActivityAt) return false;
    pendingSince = undefined;
    return true;
  }

  /** Leading and trailing throttle: activity reaches the server within one heartbeat interval. */
  function schedule() {
    if (!running || inFlight || throttleTimer !== undefined || lastActivityAt <= reportedActivityAt) return;
    const at = now();
    const interval = options.intervalMs();
    // A tab that is not the leader (none is, for ~2 s after a load) steps in when no heartbeat
    // went out for two intervals, and never before activity it knows of waited one interval: the
    // leader's leading edge answers that at once, so after a long pause one mouse move does not
    // make every tab send.
    const sendAt = options.isLeader()
      ? lastHeartbeatAt + interval
      : Math.max(lastHeartbeatAt + 2 * interval, (pendingSince ?? at) + interval);
    if (at >= sendAt) return void send(false);
    // Re-decided when it fires; a tab that does not lead looks again at least once a second, in
    // case it has become the leader. A timer that fires a little early just waits the rest.
    const wakeAt = options.isLeader() ? sendAt : Math.min(sendAt, at + Math.min(interval, 1_000));
    throttleTimer = setTimeout(() => {
      throttleTimer = undefined;
      schedule();
    }, wakeAt - at);
  }

  async function send(stay: boolean) {
    if (!running) return;
    if (inFlight) {
      if (stay) stayPending = true;
      return;
    }
    inFlight = true;
    clearTimeout(throttleTimer);
    throttleTimer = undefined;
    const activityAt = lastActivityAt;
    lastHeartbeatAt = now();
    const outcome = await attempt(Math.max(0, lastHeartbeatAt - activityAt));
    if (!running) return;
    if (!outcome.ok && outcome.kind === 'unauthenticated') {
      // The server ended the session: nothing more to send, not even a pending Stay signed in.
      stop();
      return options.onAnswer(outcome, activityAt);
    }
    if (stayPending) {
      // Stay signed in came during this request: it gets its own, now.
      stayPending = false;
      return void send(true);
    }
    if (outcome.ok) {
      retries = 0;
      clearTimeout(retryTimer);
      heard(outcome.sample.sentAt, activityAt);
      options.onAnswer(outcome, activityAt);
      return schedule();
    }
    options.onAnswer(outcome, activityAt); // the known deadline still decides when the session ends
    if (running) retryAfterBackoff(stay);
  }

  async function attempt(idleForMs: number): Promise<HeartbeatOutcome> {
    try {
      return await options.send(idleForMs);
    } catch {
      return { ok: false, kind: 'network' }; // never leave inFlight stuck
    } finally {
      inFlight = false;
    }
  }

  function retryAfterBackoff(stay: boolean) {
    const delay = Math.min(1000 * 2 ** retries, maxRetryDelayMs);
    retries++;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      options.beforeRetry(stay);
      void send(stay);
    }, delay);
  }

  function stop() {
    running = false;
    clearTimeout(throttleTimer);
    clearTimeout(retryTimer);
    throttleTimer = undefined;
  }

  return {
    lastActivityAt: () => lastActivityAt,

    /** New activity (this tab's or another's). False when it is not newer than what is known. */
    noteActivity(at: number): boolean {
      if (at <= lastActivityAt) return false;
      lastActivityAt = at;
      pendingSince ??= now();
      return true;
    },

    schedule,

    /** Stay signed in: an immediate heartbeat, whoever leads, instead of any retry that waits. */
    sendNow() {
      if (!running) return;
      lastActivityAt = Math.max(lastActivityAt, now());
      clearTimeout(retryTimer);
      void send(true);
    },

    /**
     * Another tab's heartbeat was answered. True when it reported all activity this tab knows
     * of: then this tab's own retry has nothing left to say, and is dropped.
     */
    heardElsewhere(sample: TimingSample, activityAt: number): boolean {
      if (!heard(sample.sentAt, activityAt)) return false;
      clearTimeout(retryTimer);
      retries = 0;
      return true;
    },

    /** Starts (again, after `stop`): sends what activity is still unreported when it is due. */
    start() {
      running = true;
      schedule();
    },

    /** Stops every timer until `start`; an answer that arrives meanwhile is ignored. */
    stop,
  };
}

export type HeartbeatScheduler = ReturnType<typeof createHeartbeatScheduler>;
