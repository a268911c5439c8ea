import type { SessionTiming } from '../../../shared/contract';
import type { TimingSample } from '../../lib/api';

/**
 * The session's timing model (DESIGN section 3), with no React and no DOM: the deadline is data,
 * timers only wake the code, and every decision re-reads the clock against the deadline.
 */

export type SessionPhase = 'active' | 'warning' | 'expired';
/** Which limit ends the session first. */
export type BindingLimit = 'idle' | 'absolute';

export interface SessionSnapshot {
  phase: SessionPhase;
  /** Local `Date.now()` time at which the session ends. */
  deadline: number;
  /** Local time of the absolute limit, which nothing extends. */
  absoluteDeadline: number;
  bindingLimit: BindingLimit;
  /** Whole seconds left (rounded up), for the countdown; updates once a second during the warning. */
  secondsLeft: number;
  idleTimeoutMs: number;
  warningMs: number;
  /** The absolute limit is near: show a notice that activity cannot dismiss. */
  absoluteNotice: boolean;
  /** A heartbeat failed on the network and is being retried. */
  reconnecting: boolean;
}

/** Messages between the tabs of one browser. */
export type TabMessage =
  | { type: 'activity'; at: number }
  | { type: 'timing'; sample: TimingSample; reportedActivityAt: number }
  | { type: 'signed-out'; reason: string };

export type HeartbeatOutcome =
  { ok: true; sample: TimingSample } | { ok: false; kind: 'unauthenticated' | 'network' | 'rejected' };

export interface SessionMonitorOptions {
  /** The latest timing from sign-in or the start-up check. */
  initial: TimingSample;
  sendHeartbeat(idleForMs: number): Promise<HeartbeatOutcome>;
  /** Tells the other tabs; never echoes to this tab. */
  broadcast(message: TabMessage): void;
  /** True in the one tab that sends activity heartbeats. */
  isLeader(): boolean;
  /** The session has ended on this client: `idle` or `absolute` deadline reached, or the server said 401. */
  onExpire(reason: 'idle' | 'absolute' | 'expired'): void;
  /** Defaults to `Date.now`. */
  now?: () => number;
}

/** How long before the absolute limit its notice shows: the warning time, but at least 5 minutes. */
export const absoluteNoticeLeadMs = (warningMs: number) => Math.max(warningMs, 5 * 60_000);
/** How often a tab tells the others about its activity, at most (with a trailing edge). */
const activityBroadcastMs = 1_000;
/** Retries of a heartbeat that failed on the network: 1 s, 2 s, 4 s ... at most this. */
const maxRetryDelayMs = 15_000;

export function createSessionMonitor(options: SessionMonitorOptions) {
  const now = options.now ?? (() => Date.now());
  let timing: SessionTiming = options.initial.timing;
  let idleDeadline = options.initial.sentAt + timing.idleExpiresInMs;
  let absoluteDeadline = options.initial.sentAt + timing.absoluteExpiresInMs;
  /** Latest activity any tab has seen. Starts at load: the server's deadline caps it anyway. */
  let lastActivityAt = options.initial.sentAt;
  /** Latest activity the server has been told about. */
  let reportedActivityAt = options.initial.sentAt;
  /** When the last heartbeat (any tab's) left, for the throttle. */
  let lastHeartbeatAt = options.initial.sentAt;
  let inFlight = false;
  /** Stay signed in was chosen while another heartbeat was in flight: send it right after. */
  let stayPending = false;
  /** When this tab first held activity the server had not been told about (for the fallback). */
  let pendingSince: number | undefined;
  /** Stay signed in was chosen and its heartbeat is on its way: the warning stays closed meanwhile. */
  let extending = false;
  let retries = 0;
  let reconnecting = false;
  let ended = false;
  /** Between start() and stop(): React StrictMode stops and starts a monitor once on mount. */
  let running = false;

  let wakeTimer: ReturnType<typeof setTimeout> | undefined;
  let heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let activityBroadcastTimer: ReturnType<typeof setTimeout> | undefined;
  let lastActivityBroadcastAt = -Infinity;
  const listeners = new Set<() => void>();
  let snapshot = compute();

  function compute(): SessionSnapshot {
    const at = now();
    const bindingLimit: BindingLimit = absoluteDeadline <= idleDeadline ? 'absolute' : 'idle';
    const deadline = Math.min(idleDeadline, absoluteDeadline);
    const phase: SessionPhase =
      ended || at >= deadline
        ? 'expired'
        : bindingLimit === 'idle' && !extending && at >= idleDeadline - timing.warningMs
          ? 'warning'
          : 'active';
    return {
      phase,
      deadline,
      absoluteDeadline,
      bindingLimit,
      secondsLeft: Math.max(0, Math.ceil((deadline - at) / 1000)),
      idleTimeoutMs: timing.idleTimeoutMs,
      warningMs: timing.warningMs,
      absoluteNotice: phase !== 'expired' && at >= absoluteDeadline - absoluteNoticeLeadMs(timing.warningMs),
      reconnecting,
    };
  }

  function sameSnapshot(a: SessionSnapshot, b: SessionSnapshot): boolean {
    return (Object.keys(a) as (keyof SessionSnapshot)[]).every((key) => a[key] === b[key]);
  }

  /** Re-reads the clock: the one place where phases change. Safe to call at any time, as often as wanted. */
  function check() {
    if (ended || !running) return;
    const next = compute();
    if (!sameSnapshot(next, snapshot)) {
      snapshot = next;
      listeners.forEach((listener) => listener());
    }
    if (next.phase === 'expired') {
      end(next.bindingLimit);
      return;
    }
    scheduleWake(next);
  }

  function scheduleWake(current: SessionSnapshot) {
    clearTimeout(wakeTimer);
    const at = now();
    const candidates = [current.deadline];
    if (current.phase === 'warning' || current.absoluteNotice) {
      // Tick on the next whole second of the countdown.
      candidates.push(current.deadline - (current.secondsLeft - 1) * 1000);
    } else {
      candidates.push(idleDeadline - timing.warningMs, absoluteDeadline - absoluteNoticeLeadMs(timing.warningMs));
    }
    const next = Math.min(...candidates.filter((time) => time > at));
    const delay = Number.isFinite(next) ? next - at : 0;
    // setTimeout overflows past 2^31-1 ms; waking early is harmless since every wake re-checks.
    wakeTimer = setTimeout(check, Math.min(Math.max(delay, 0), 2 ** 31 - 1));
  }

  function end(limit: BindingLimit | 'expired') {
    if (ended) return;
    ended = true;
    stopTimers();
    snapshot = { ...compute(), phase: 'expired' };
    listeners.forEach((listener) => listener());
    options.onExpire(limit);
  }

  function stopTimers() {
    clearTimeout(wakeTimer);
    clearTimeout(heartbeatTimer);
    clearTimeout(retryTimer);
    clearTimeout(activityBroadcastTimer);
  }

  /** Tells the other tabs the latest activity: at once, then at most once a second, the last one always. */
  function broadcastActivity() {
    if (activityBroadcastTimer !== undefined) return;
    const wait = lastActivityBroadcastAt + activityBroadcastMs - now();
    const send = () => {
      activityBroadcastTimer = undefined;
      lastActivityBroadcastAt = now();
      options.broadcast({ type: 'activity', at: lastActivityAt });
    };
    if (wait <= 0) send();
    else activityBroadcastTimer = setTimeout(send, wait);
  }

  /**
   * Keeps a newer timing. The server's deadlines never move back and each sample is a lower
   * bound of them, so the latest deadline wins: a late answer to an older request cannot undo
   * a newer one (and reopen a warning in every tab).
   */
  function applySample(sample: TimingSample, activityAt: number) {
    timing = sample.timing;
    idleDeadline = Math.max(idleDeadline, sample.sentAt + timing.idleExpiresInMs);
    absoluteDeadline = Math.max(absoluteDeadline, sample.sentAt + timing.absoluteExpiresInMs);
    reportedActivityAt = Math.max(reportedActivityAt, activityAt);
    lastActivityAt = Math.max(lastActivityAt, activityAt);
    lastHeartbeatAt = Math.max(lastHeartbeatAt, sample.sentAt);
    if (reportedActivityAt >= lastActivityAt) pendingSince = undefined;
  }

  /** New activity (this tab's or another's); before deciding anything, a tab that slept wakes up. */
  function noteActivity(at: number): boolean {
    if (at >= Math.min(idleDeadline - timing.warningMs, absoluteDeadline)) check();
    if (ended || snapshot.phase !== 'active' || at <= lastActivityAt) return false;
    lastActivityAt = at;
    pendingSince ??= now();
    return true;
  }

  /** Leading and trailing throttle: activity reaches the server within one heartbeat interval. */
  function scheduleHeartbeat() {
    if (ended || !running || inFlight || heartbeatTimer !== undefined || lastActivityAt <= reportedActivityAt) return;
    const at = now();
    const interval = timing.heartbeatIntervalMs;
    // A tab that is not the leader (none is, for ~2 s after a load) steps in when no heartbeat
    // went out for two intervals, and never before activity it knows of waited one interval: the
    // leader's leading edge answers that at once, so after a long pause one mouse move does not
    // make every tab send.
    const sendAt = options.isLeader()
      ? lastHeartbeatAt + interval
      : Math.max(lastHeartbeatAt + 2 * interval, (pendingSince ?? at) + interval);
    if (at >= sendAt) {
      void heartbeat(false);
      return;
    }
    // Re-decided when it fires; a tab that does not lead looks again at least once a second, in
    // case it has become the leader. A timer that fires a little early just waits the rest.
    const wakeAt = options.isLeader() ? sendAt : Math.min(sendAt, at + Math.min(interval, 1_000));
    heartbeatTimer = setTimeout(() => {
      heartbeatTimer = undefined;
      scheduleHeartbeat();
    }, wakeAt - at);
  }

  async function heartbeat(fromStaySignedIn: boolean) {
    if (ended) return;
    if (inFlight) {
      if (fromStaySignedIn) stayPending = true;
      return;
    }
    inFlight = true;
    clearTimeout(heartbeatTimer);
    heartbeatTimer = undefined;
    const activityAt = lastActivityAt;
    const sentAt = now();
    lastHeartbeatAt = sentAt;
    let outcome: HeartbeatOutcome;
    try {
      outcome = await options.sendHeartbeat(Math.max(0, sentAt - activityAt));
    } catch {
      outcome = { ok: false, kind: 'network' }; // never leave inFlight stuck
    } finally {
      inFlight = false;
    }
    if (ended || !running) return;
    if (stayPending) {
      // Stay signed in came during this request: it gets its own, now.
      stayPending = false;
      void heartbeat(true);
      return;
    }
    if (outcome.ok) {
      retries = 0;
      reconnecting = false;
      extending = false;
      clearTimeout(retryTimer);
      applySample(outcome.sample, activityAt);
      options.broadcast({ type: 'timing', sample: outcome.sample, reportedActivityAt: activityAt });
      check();
      scheduleHeartbeat();
      return;
    }
    if (outcome.kind === 'unauthenticated') {
      end('expired');
      return;
    }
    // Network trouble: retry with backoff; the known deadline still decides when the session ends.
    extending = false;
    reconnecting = outcome.kind === 'network';
    check();
    const delay = Math.min(1000 * 2 ** retries, maxRetryDelayMs);
    retries++;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      if (fromStaySignedIn) extending = true;
      void heartbeat(fromStaySignedIn);
    }, delay);
  }

  return {
    getSnapshot: () => snapshot,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    check,

    /** The user did something in this tab. Ignored during the warning: only Stay signed in extends. */
    reportActivity(at = now()) {
      if (ended || !running || !noteActivity(at)) return;
      broadcastActivity();
      scheduleHeartbeat();
    },

    /** Stay signed in (this tab's button or Escape): an immediate heartbeat, whoever leads. */
    staySignedIn() {
      if (ended || !running) return;
      lastActivityAt = Math.max(lastActivityAt, now());
      extending = true;
      check();
      clearTimeout(retryTimer);
      void heartbeat(true);
    },

    /** A message from another tab. */
    receive(message: TabMessage) {
      if (ended || !running) return;
      if (message.type === 'activity') {
        if (noteActivity(message.at)) scheduleHeartbeat();
      } else if (message.type === 'timing') {
        applySample(message.sample, message.reportedActivityAt);
        if (reportedActivityAt >= lastActivityAt) {
          // Another tab told the server: this tab's own retry has nothing left to say.
          clearTimeout(retryTimer);
          reconnecting = false;
          retries = 0;
        }
        check();
      }
    },

    /** Starts the clock (again, after `stop`). Call after subscribing. */
    start() {
      running = true;
      check();
      scheduleHeartbeat();
    },

    /** Stops every timer until `start`; messages and activity are ignored meanwhile. */
    stop() {
      running = false;
      stopTimers();
      heartbeatTimer = undefined;
      activityBroadcastTimer = undefined;
    },
  };
}

export type SessionMonitor = ReturnType<typeof createSessionMonitor>;
