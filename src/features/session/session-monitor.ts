import type { TimingSample } from '../../lib/api';
import { createActivityBroadcaster } from './activity-broadcaster';
import { createHeartbeatScheduler, type HeartbeatOutcome } from './heartbeat-scheduler';
import {
  activityNeedsCheckFrom,
  computeSnapshot,
  nextWakeDelay,
  sameSnapshot,
  sessionStateFrom,
  withAnswer,
  withSample,
  type BindingLimit,
  type SessionSnapshot,
  type SessionState,
} from './session-state';

/**
 * The session's timing model (docs/design.md#timing-model), with no React and no DOM. It composes three
 * parts: the state and what it means at a moment (`session-state.ts`, pure), when to send
 * heartbeats (`heartbeat-scheduler.ts`) and when to tell other tabs of activity
 * (`activity-broadcaster.ts`). The deadline is data, timers only wake the code, and every
 * decision re-reads the clock against the deadline.
 */

export type { BindingLimit, SessionPhase, SessionSnapshot } from './session-state';
export { absoluteNoticeLeadMs } from './session-state';
export type { HeartbeatOutcome } from './heartbeat-scheduler';

/** Messages between the tabs of one browser. */
export type TabMessage =
  | { type: 'activity'; at: number }
  /** `leaderRank`: only from a tab that leads (two may, for a while: docs/design.md#tab-protocol). */
  | { type: 'timing'; sample: TimingSample; reportedActivityAt: number; leaderRank?: number }
  | { type: 'signed-out'; reason: string; sessionId?: string };

export interface SessionMonitorOptions {
  /** The latest timing from sign-in or the start-up check. */
  initial: TimingSample;
  /** A 401 comes back as `unauthenticated`: the monitor is the one path that ends the session then. */
  sendHeartbeat(idleForMs: number): Promise<HeartbeatOutcome>;
  /** Tells the other tabs; never echoes to this tab. */
  broadcast(message: TabMessage): void;
  /** True in the one tab that sends activity heartbeats. */
  isLeader(): boolean;
  /**
   * The session has ended on this client: `idle` or `absolute` deadline reached, or the server
   * said 401 (`revoked` when the user ended it from another session).
   */
  onExpire(reason: 'idle' | 'absolute' | 'expired' | 'revoked'): void;
  /** Defaults to `Date.now`. */
  now?: () => number;
}

export function createSessionMonitor(options: SessionMonitorOptions) {
  const now = options.now ?? (() => Date.now());
  const live = createLiveSession(options.initial, now, (limit) => end(limit));
  const heartbeats = createHeartbeatScheduler({
    startAt: options.initial.sentAt,
    intervalMs: () => live.state().timing.heartbeatIntervalMs,
    isLeader: options.isLeader,
    send: options.sendHeartbeat,
    now,
    beforeRetry: (stay) => stay && live.update({ extending: true }),
    onAnswer(outcome, activityAt) {
      if (!outcome.ok && outcome.kind === 'unauthenticated') return end(outcome.revoked ? 'revoked' : 'expired');
      live.update(withAnswer(live.state(), outcome));
      if (outcome.ok) {
        options.broadcast({
          type: 'timing',
          sample: outcome.sample,
          reportedActivityAt: activityAt,
          leaderRank: options.isLeader() ? heartbeats.rank : undefined,
        });
      }
      live.check();
    },
  });
  const activity = createActivityBroadcaster({
    latestActivityAt: heartbeats.lastActivityAt,
    broadcast: (at) => options.broadcast({ type: 'activity', at }),
    now,
  });

  function end(limit: BindingLimit | 'expired' | 'revoked') {
    if (live.state().ended) return;
    heartbeats.stop();
    activity.stop();
    live.finish();
    options.onExpire(limit);
  }

  /** New activity (this tab's or another's); before deciding anything, a tab that slept wakes up. */
  function noteActivity(at: number): boolean {
    if (at >= activityNeedsCheckFrom(live.state())) live.check();
    return live.getSnapshot().phase === 'active' && heartbeats.noteActivity(at);
  }

  return {
    getSnapshot: live.getSnapshot,
    subscribe: live.subscribe,
    check: live.check,
    /** The user did something in this tab. Ignored during the warning: only Stay signed in extends. */
    reportActivity(at = now()) {
      if (!live.isRunning() || !noteActivity(at)) return;
      activity.report();
      heartbeats.schedule();
    },
    /** Stay signed in (this tab's button or Escape): an immediate heartbeat, whoever leads. */
    staySignedIn() {
      if (!live.isRunning()) return;
      live.update({ extending: true });
      live.check();
      heartbeats.sendNow();
    },
    /** A message from another tab. */
    receive(message: TabMessage) {
      if (!live.isRunning()) return;
      if (message.type === 'activity') {
        if (noteActivity(message.at)) heartbeats.schedule();
      } else if (message.type === 'timing') {
        live.update(withSample(live.state(), message.sample));
        const { sample, reportedActivityAt, leaderRank } = message;
        if (heartbeats.heardElsewhere(sample, reportedActivityAt, leaderRank)) live.update({ reconnecting: false });
        live.check();
      }
    },
    /** Starts the clock (again, after `stop`). Call after subscribing. */
    start() {
      live.start();
      if (live.isRunning()) heartbeats.start();
    },
    /** Stops every timer until `start`; messages and activity are ignored meanwhile. */
    stop() {
      live.stop();
      heartbeats.stop();
      activity.stop();
    },
  };
}

export type SessionMonitor = ReturnType<typeof createSessionMonitor>;

/**
 * The state, its published snapshot and the one timer that wakes it. `check` is the one place
 * where the snapshot changes; at the deadline it calls `onDeadline` (which ends the session).
 */
function createLiveSession(initial: TimingSample, now: () => number, onDeadline: (limit: BindingLimit) => void) {
  let state = sessionStateFrom(initial);
  let snapshot = computeSnapshot(state, now());
  /** Between start() and stop(): React StrictMode stops and starts a monitor once on mount. */
  let running = false;
  let wakeTimer: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Set<() => void>();

  function publish(next: SessionSnapshot) {
    snapshot = next;
    listeners.forEach((listener) => listener());
  }

  /** Re-reads the clock. Safe to call at any time, as often as wanted. */
  function check() {
    if (state.ended || !running) return;
    const at = now();
    const next = computeSnapshot(state, at);
    if (!sameSnapshot(next, snapshot)) publish(next);
    if (next.phase === 'expired') return onDeadline(next.bindingLimit);
    clearTimeout(wakeTimer);
    wakeTimer = setTimeout(check, nextWakeDelay(state, at));
  }

  return {
    state: () => state,
    /** Changes take effect on the next `check`. */
    update: (change: Partial<SessionState>) => void (state = { ...state, ...change }),
    getSnapshot: () => snapshot,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    check,
    /** Running and not ended: the only time activity, answers and messages count. */
    isRunning: () => running && !state.ended,
    start() {
      running = true;
      check();
    },
    stop() {
      running = false;
      clearTimeout(wakeTimer);
    },
    /** The session is over: the snapshot says `expired` from now on, whatever happens. */
    finish() {
      state = { ...state, ended: true };
      clearTimeout(wakeTimer);
      publish(computeSnapshot(state, now()));
    },
  };
}
