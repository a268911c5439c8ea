import type { TimingSample } from './session-state';
import { createActivityBroadcaster } from './activity-broadcaster';
import { createHeartbeatScheduler, type HeartbeatOutcome } from './heartbeat-scheduler';
import { createSessionHolds, type HoldAnnouncement } from './session-holds';
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
  | { type: 'signed-out'; reason: string; sessionId?: string }
  /** This tab's session holds (decision 024), renewed while they last. */
  | HoldAnnouncement;

export interface SessionMonitorOptions {
  /** The latest timing from sign-in or the start-up check. */
  initial: TimingSample;
  /**
   * A 401 comes back as `unauthenticated`: the monitor is the one path that ends the session then.
   * `hold`: a hold heartbeat (decision 024), whose `idleForMs` is the time since the last input.
   */
  sendHeartbeat(idleForMs: number, hold?: string): Promise<HeartbeatOutcome>;
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
  /** This tab's name in hold announcements. Default: random. */
  tabId?: string;
  /** How often a holding tab renews its announcement to the other tabs, in ms (default 2000). */
  holdRenewMs?: number;
}

/** Input after the first of a burst reaches the monitor at most this late (and at most `H / 4`): `reportInput`. */
export const maxInputWindowMs = 1_000;

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
    beforeSend: () => releaseInput(),
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
    intervalMs: activityMessageIntervalMs,
  });
  let ownHoldReason: string | null = null;
  const holds = createSessionHolds({
    tabId: options.tabId ?? Math.random().toString(36).slice(2),
    broadcast: options.broadcast,
    now,
    renewMs: options.holdRenewMs,
    onChange() {
      live.update({ holdReason: holds.reason() });
      live.check();
    },
  });
  const holdBeats = createHoldHeartbeats();

  function end(limit: BindingLimit | 'expired' | 'revoked') {
    if (live.state().ended) return;
    dropInput();
    heartbeats.stop();
    activity.stop();
    holdBeats.stop();
    holds.stop();
    live.finish();
    options.onExpire(limit);
  }

  /**
   * This tab's hold heartbeats: while it holds, one at once and then one per interval `H`,
   * whoever leads (the hold lives and dies with this tab, so its heartbeats do too). Answers go
   * the same way as activity heartbeats'; a refused hold (MAX_HOLD) stops counting.
   */
  function createHoldHeartbeats() {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    async function beat() {
      timer = undefined;
      const reason = holds.ownReason();
      if (!live.isRunning() || reason === null) return;
      inFlight = true;
      releaseInput();
      const sentAt = now();
      const outcome = await options
        .sendHeartbeat(Math.max(0, sentAt - heartbeats.lastActivityAt()), reason)
        .catch((): HeartbeatOutcome => ({ ok: false, kind: 'network' }));
      inFlight = false;
      if (!live.isRunning()) return;
      if (!outcome.ok && outcome.kind === 'unauthenticated') {
        live.check(); // the deadline this tab knows of, if it has passed, says which limit it was
        return end(outcome.revoked ? 'revoked' : 'expired');
      }
      if (outcome.ok) {
        live.update(withSample(live.state(), outcome.sample));
        options.broadcast({ type: 'timing', sample: outcome.sample, reportedActivityAt: heartbeats.lastActivityAt() });
        if (outcome.holdRefused) holds.refuse();
      }
      live.check();
      next();
    }
    function next() {
      if (timer !== undefined || inFlight || holds.ownReason() === null || !live.isRunning()) return;
      timer = setTimeout(() => void beat(), live.state().timing.heartbeatIntervalMs);
    }
    return {
      /** A hold began in this tab: tell the server now. */
      now() {
        clearTimeout(timer);
        timer = undefined;
        if (!inFlight) void beat();
      },
      next,
      stop() {
        clearTimeout(timer);
        timer = undefined;
      },
    };
  }

  /** This tab's holds changed: the last one ending is activity now (the idle clock starts then). */
  function holdsChanged() {
    const reason = holds.ownReason();
    if (reason !== null && ownHoldReason === null) holdBeats.now();
    if (reason === null && ownHoldReason !== null && !holds.hasLocalHolds()) {
      holdBeats.stop();
      if (noteActivity(now())) {
        activity.report();
        heartbeats.schedule();
      }
    }
    ownHoldReason = reason;
  }

  /**
   * Input events (decision 029). The first after a quiet window is reported at once; later ones
   * in the window only keep the newest time, reported when the window ends (a trailing edge that
   * starts the next window) or as a heartbeat leaves, which then carries it. Every input it is
   * given keeps its time exactly, reported at most one window late (the provider gives it the
   * first of each burst of moves, then rests for `inputWindowMs`: decision 032), and a burst of
   * input runs the monitor once per window instead of once per event: per event, a clock read,
   * two comparisons, a store.
   */
  let heldInputAt: number | undefined;
  let inputWindowStartsAt = Infinity;
  let inputWindowEndsAt = -Infinity;
  let inputTimer: ReturnType<typeof setTimeout> | undefined;

  function reportInput(at = now()) {
    // Before the window's start too, a new window: the clock was set back.
    if (at >= inputWindowStartsAt && at < inputWindowEndsAt) {
      heldInputAt = at;
      inputTimer ??= setTimeout(endInputWindow, inputWindowEndsAt - at);
      return;
    }
    startInputWindow(at);
    reportActivity(at);
  }

  function startInputWindow(at: number) {
    inputWindowStartsAt = at;
    inputWindowEndsAt = at + inputWindowMs();
  }

  /**
   * How often this tab may tell the others of its activity (decision 036): once a second, so the
   * leader hears of it in time; once per heartbeat interval from the tab that leads, whose own
   * heartbeats report it and whose answers (`timing` messages) tell the other tabs.
   */
  function activityMessageIntervalMs() {
    return heartbeats.leads() ? Math.max(1_000, live.state().timing.heartbeatIntervalMs) : 1_000;
  }

  /** How long an input window lasts: `maxInputWindowMs`, at most a quarter of a heartbeat interval. */
  function inputWindowMs() {
    return Math.min(maxInputWindowMs, live.state().timing.heartbeatIntervalMs / 4);
  }

  function endInputWindow() {
    inputTimer = undefined;
    if (heldInputAt === undefined) return;
    releaseInput();
    // From after the report: the next window's report finds the activity broadcaster's second
    // over (it sent in this one), so it sends then, with no timer of its own.
    startInputWindow(now());
  }

  /** Reports the input held back, if any; the window goes on. */
  function releaseInput() {
    clearTimeout(inputTimer);
    inputTimer = undefined;
    const at = heldInputAt;
    heldInputAt = undefined;
    if (at !== undefined) reportActivity(at);
  }

  function dropInput() {
    clearTimeout(inputTimer);
    inputTimer = undefined;
    heldInputAt = undefined;
    inputWindowStartsAt = Infinity;
    inputWindowEndsAt = -Infinity;
  }

  /** The user did something in this tab. Ignored during the warning: only Stay signed in extends. */
  function reportActivity(at: number) {
    if (!live.isRunning()) return;
    holds.renew();
    holdsChanged();
    if (!noteActivity(at)) return;
    activity.report();
    heartbeats.schedule();
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
    /** The user did something in this tab, reported at once. Ignored during the warning: only Stay signed in extends. */
    reportActivity: (at = now()) => reportActivity(at),
    /** An input event (pointer, key, wheel, touch, scroll): `reportActivity`, at most one input window late. */
    reportInput,
    /** `reportInput` now, as an event listener (the event itself is not needed). */
    onInput: () => reportInput(),
    /** How long an input window lasts now: continuous input is sampled once per window (input-listener.ts). */
    inputWindowMs,
    /** Stay signed in (this tab's button or Escape): an immediate heartbeat, whoever leads. */
    staySignedIn() {
      if (!live.isRunning()) return;
      holds.renew();
      holdsChanged();
      live.update({ extending: true });
      live.check();
      heartbeats.sendNow();
    },
    /** A message from another tab. */
    receive(message: TabMessage) {
      if (!live.isRunning()) return;
      if (message.type === 'hold') {
        holds.receive(message);
      } else if (message.type === 'activity') {
        if (noteActivity(message.at)) heartbeats.schedule();
      } else if (message.type === 'timing') {
        live.update(withSample(live.state(), message.sample));
        const { sample, reportedActivityAt, leaderRank } = message;
        if (heartbeats.heardElsewhere(sample, reportedActivityAt, leaderRank)) live.update({ reconnecting: false });
        live.check();
      }
    },
    /**
     * Holds the session (decision 024) until the returned release is called: heartbeats keep it
     * alive without input and no idle warning opens, in any tab, up to MAX_HOLD and never past
     * the absolute limit. When the last hold ends, the idle clock starts from that moment.
     */
    hold(reason: string): () => void {
      const release = holds.acquire(reason);
      holdsChanged();
      return () => {
        release();
        holdsChanged();
      };
    },
    /** The tab is going away (pagehide): other tabs stop counting its holds at once. */
    leave: () => holds.announceGone(),
    /** Starts the clock (again, after `stop`). Call after subscribing. */
    start() {
      live.start();
      if (!live.isRunning()) return;
      heartbeats.start();
      holds.start();
      live.update({ holdReason: holds.reason() });
      holdBeats.next();
      live.check();
    },
    /** Stops every timer until `start`; messages and activity are ignored meanwhile. */
    stop() {
      live.stop();
      dropInput();
      heartbeats.stop();
      activity.stop();
      holdBeats.stop();
      holds.stop();
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
