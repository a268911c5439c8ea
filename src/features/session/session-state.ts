import type { SessionTiming } from '../../../shared/contract';
import type { HeartbeatOutcome } from './heartbeat-scheduler';

/**
 * The session's state as plain data and what it means at a given moment, with no timers, no
 * React and no DOM (decision 001: the deadline is data, timers only wake the code). Every
 * function here is pure: the same state and `now` give the same answer.
 */

/** A timing as the client keeps it: the server's durations plus the local time the request was sent. */
export interface TimingSample {
  timing: SessionTiming;
  /** `Date.now()` when the request left: the deadline counts from here, so it is never later than the server's. */
  sentAt: number;
}

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
  /**
   * What holds the session, when a hold is on in some tab (decision 024): the idle warning does
   * not open and the page says why the user stays signed in. The absolute limit and its notice
   * are unchanged. Null without a hold.
   */
  holdReason: string | null;
}

export interface SessionState {
  /** The latest timing heard (this tab's heartbeat, another tab's, or the start-up check). */
  timing: SessionTiming;
  /** Local time the idle limit ends the session, unless activity reaches the server first. */
  idleDeadline: number;
  absoluteDeadline: number;
  /** Stay signed in was chosen and its heartbeat is on its way: the warning stays closed meanwhile. */
  extending: boolean;
  /** A heartbeat failed on the network and is being retried. */
  reconnecting: boolean;
  /** The session ended on this client; nothing brings it back. */
  ended: boolean;
  /** What holds the session in some tab (null: nothing): its heartbeats keep the idle deadline ahead, and no warning opens. */
  holdReason: string | null;
}

/** How long before the absolute limit its notice shows: the warning time, but at least 5 minutes. */
export const absoluteNoticeLeadMs = (warningMs: number) => Math.max(warningMs, 5 * 60_000);

/** setTimeout overflows past 2^31-1 ms; waking early is harmless since every wake re-checks. */
const maxTimerDelayMs = 2 ** 31 - 1;

/** Server durations count from when the request was sent, so a deadline is never later than the server's. */
export function sessionStateFrom(sample: TimingSample): SessionState {
  return {
    timing: sample.timing,
    idleDeadline: sample.sentAt + sample.timing.idleExpiresInMs,
    absoluteDeadline: sample.sentAt + sample.timing.absoluteExpiresInMs,
    extending: false,
    reconnecting: false,
    ended: false,
    holdReason: null,
  };
}

/**
 * Keeps a newer timing. The server's deadlines never move back and each sample is a lower bound
 * of them, so the latest deadline wins: a late answer to an older request cannot undo a newer
 * one (and reopen a warning in every tab).
 */
export function withSample(state: SessionState, sample: TimingSample): SessionState {
  const heard = sessionStateFrom(sample);
  return {
    ...state,
    timing: sample.timing,
    idleDeadline: Math.max(state.idleDeadline, heard.idleDeadline),
    absoluteDeadline: Math.max(state.absoluteDeadline, heard.absoluteDeadline),
  };
}

/**
 * After this tab's heartbeat was answered (a 401 is not a state: the monitor ends the session).
 * Stay signed in is done either way: on failure the warning may show again while it retries.
 */
export function withAnswer(state: SessionState, outcome: HeartbeatOutcome): SessionState {
  if (outcome.ok) return { ...withSample(state, outcome.sample), extending: false, reconnecting: false };
  return { ...state, extending: false, reconnecting: outcome.kind === 'network' };
}

/** What the session is at `now`: the one place where phases are decided. */
export function computeSnapshot(state: SessionState, now: number): SessionSnapshot {
  const { idleDeadline, absoluteDeadline, timing } = state;
  const bindingLimit: BindingLimit = absoluteDeadline <= idleDeadline ? 'absolute' : 'idle';
  const deadline = Math.min(idleDeadline, absoluteDeadline);
  const phase: SessionPhase =
    state.ended || now >= deadline
      ? 'expired'
      : bindingLimit === 'idle' &&
          !state.extending &&
          state.holdReason === null &&
          now >= idleDeadline - timing.warningMs
        ? 'warning'
        : 'active';
  return {
    phase,
    deadline,
    absoluteDeadline,
    bindingLimit,
    secondsLeft: Math.max(0, Math.ceil((deadline - now) / 1000)),
    idleTimeoutMs: timing.idleTimeoutMs,
    warningMs: timing.warningMs,
    absoluteNotice: phase !== 'expired' && now >= absoluteDeadline - absoluteNoticeLeadMs(timing.warningMs),
    reconnecting: state.reconnecting,
    holdReason: phase === 'expired' ? null : state.holdReason,
  };
}

/** Whether two snapshots, or two parts of them (`useSessionSnapshot`'s selections), hold the same values. */
export function sameSnapshot<T extends object = SessionSnapshot>(a: T, b: T): boolean {
  const keys = Object.keys(a) as (keyof T)[];
  return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key], b[key]));
}

/**
 * How long until the snapshot can next change on its own: the warning, the absolute notice, the
 * deadline, or (while a countdown shows) the next whole second. 0 when that moment is now.
 */
export function nextWakeDelay(state: SessionState, now: number): number {
  const current = computeSnapshot(state, now);
  const candidates = [current.deadline];
  if (current.phase === 'warning' || current.absoluteNotice) {
    candidates.push(current.deadline - (current.secondsLeft - 1) * 1000);
  } else {
    candidates.push(
      state.idleDeadline - state.timing.warningMs,
      state.absoluteDeadline - absoluteNoticeLeadMs(state.timing.warningMs),
    );
  }
  const next = Math.min(...candidates.filter((time) => time > now));
  const delay = Number.isFinite(next) ? next - now : 0;
  return Math.min(Math.max(delay, 0), maxTimerDelayMs);
}

/**
 * From this moment on, activity no longer simply counts: the warning may be open (or the session
 * over), so a tab that slept must re-check before it reports activity as extending anything.
 */
export function activityNeedsCheckFrom(state: SessionState): number {
  return Math.min(state.idleDeadline - state.timing.warningMs, state.absoluteDeadline);
}
