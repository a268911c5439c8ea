import type { TimingSample } from './session-state';

/**
 * When to send `POST /api/session/heartbeat` (decision 006), with no knowledge of deadlines or
 * phases: it tracks which activity the server has been told about and decides only when to send.
 */

export type HeartbeatOutcome =
  /** `holdRefused`: a hold heartbeat got the usual idle rule (past MAX_HOLD, decision 024). */
  | { ok: true; sample: TimingSample; holdRefused?: boolean }
  /** `revoked`: the user ended this session from another one (401 `session_revoked`). */
  | { ok: false; kind: 'unauthenticated'; revoked?: boolean }
  | { ok: false; kind: 'network' | 'rejected' };

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
  /**
   * A heartbeat is leaving and is about to read the activity it reports: activity the caller
   * holds back (the monitor's input window) is noted now. A `schedule` from here sends nothing.
   */
  beforeSend?(): void;
  now(): number;
  /** Decides between two leaders whose heartbeats told the server the same: the higher leads. Default: random. */
  rank?: number;
}

/** Retries of a heartbeat that failed: 1 s, 2 s, 4 s ... at most this. */
export const maxRetryDelayMs = 15_000;

/** One heartbeat as the server heard it: when it left, the activity it reported, the rank of the tab that sent it. */
export interface HeartbeatReport {
  sentAt: number;
  activityAt: number;
  rank: number;
}

/** What the server has been told of this user's activity, as plain data. Times are local `Date.now()`. */
export interface HeartbeatLedger {
  /** Latest activity any tab has seen. Starts at load: the server's deadline caps it anyway. */
  lastActivityAt: number;
  /** Latest activity the server has been told about. */
  reportedActivityAt: number;
  /** When the last heartbeat (any tab's) left, for the throttle. */
  lastHeartbeatAt: number;
  /** When this tab first held activity the server had not been told about (for the step-in). */
  pendingSince?: number;
  /** This tab's last heartbeat. */
  ownHeartbeat?: HeartbeatReport;
  /** The newest heartbeat of another tab that led while this one did too (a delayed tab election). */
  rivalHeartbeat?: HeartbeatReport;
}

/** A heartbeat (this tab's or another's) that left at `sentAt` was answered: the server knows of `activityAt`. */
export function withAnswered(ledger: HeartbeatLedger, sentAt: number, activityAt: number): HeartbeatLedger {
  const next = {
    ...ledger,
    lastActivityAt: Math.max(ledger.lastActivityAt, activityAt),
    reportedActivityAt: Math.max(ledger.reportedActivityAt, activityAt),
    lastHeartbeatAt: Math.max(ledger.lastHeartbeatAt, sentAt),
  };
  return next.reportedActivityAt >= next.lastActivityAt ? { ...next, pendingSince: undefined } : next;
}

/**
 * The heartbeat that told the server more: the newer activity (so the tab where the user works
 * wins), or the same activity later. Two tabs' timers can fire in the same millisecond with the
 * same news: then only their ranks tell them apart.
 */
function outranks(report: HeartbeatReport, other: HeartbeatReport): boolean {
  if (report.activityAt !== other.activityAt) return report.activityAt > other.activityAt;
  if (report.sentAt !== other.sentAt) return report.sentAt > other.sentAt;
  return report.rank > other.rank;
}

/** Another tab that leads too sent a heartbeat: the ledger keeps the one that outranks. */
export function withRival(ledger: HeartbeatLedger, heartbeat: HeartbeatReport): HeartbeatLedger {
  const { rivalHeartbeat } = ledger;
  return rivalHeartbeat && !outranks(heartbeat, rivalHeartbeat) ? ledger : { ...ledger, rivalHeartbeat: heartbeat };
}

/**
 * Of two tabs that both lead, the one whose last heartbeat is outranked stands back, as a tab
 * that does not lead, until it sends again (a step-in, Stay signed in): the other's heartbeats
 * already cover its activity, and its step-in takes over if they stop.
 */
export function standsBack(ledger: HeartbeatLedger): boolean {
  const { ownHeartbeat, rivalHeartbeat } = ledger;
  return rivalHeartbeat !== undefined && (ownHeartbeat === undefined || outranks(rivalHeartbeat, ownHeartbeat));
}

/**
 * When the next heartbeat is due. The leader sends one interval after the last heartbeat (a
 * leading edge when that has passed, a trailing one otherwise). A tab that is not the leader
 * (none is, for ~2 s after a load) steps in when no heartbeat went out for two intervals, and
 * never before activity it knows of waited one interval: the leader's leading edge answers that
 * at once, so after a long pause one mouse move does not make every tab send.
 */
export function heartbeatDueAt(ledger: HeartbeatLedger, leader: boolean, intervalMs: number, now: number): number {
  if (leader) return ledger.lastHeartbeatAt + intervalMs;
  return Math.max(ledger.lastHeartbeatAt + 2 * intervalMs, (ledger.pendingSince ?? now) + intervalMs);
}

/**
 * Sends heartbeats for activity the server has not been told about: a leading and a trailing
 * edge at most once per interval from the leader, a step-in from a tab that does not lead,
 * Stay signed in at once, retries with backoff. Starts stopped: call `start`.
 */
export function createHeartbeatScheduler(options: HeartbeatSchedulerOptions) {
  const { now } = options;
  const start = options.startAt;
  const rank = options.rank ?? Math.random();
  let ledger: HeartbeatLedger = { lastActivityAt: start, reportedActivityAt: start, lastHeartbeatAt: start };
  let throttleTimer: ReturnType<typeof setTimeout> | undefined;
  const allReported = () => ledger.reportedActivityAt >= ledger.lastActivityAt;
  const requests = createHeartbeatRequests({
    ...options,
    activityAt: () => ledger.lastActivityAt,
    onSent(sentAt, activityAt) {
      clearThrottle();
      ledger = { ...ledger, lastHeartbeatAt: sentAt, ownHeartbeat: { sentAt, activityAt, rank } };
    },
    onAnswer(outcome, activityAt) {
      if (outcome.ok) ledger = withAnswered(ledger, outcome.sample.sentAt, activityAt);
      options.onAnswer(outcome, activityAt);
      if (outcome.ok) schedule();
    },
  });

  /** Leading and trailing throttle: activity reaches the server within one heartbeat interval. */
  function schedule() {
    if (!requests.isRunning() || requests.isBusy() || throttleTimer !== undefined || allReported()) return;
    const at = now();
    const interval = options.intervalMs();
    const leads = leading();
    const sendAt = heartbeatDueAt(ledger, leads, interval, at);
    if (at >= sendAt) return void requests.send(false);
    // Re-decided when it fires; a tab that does not lead looks again at least once a second, in
    // case it has become the leader. A timer that fires a little early just waits the rest.
    const wakeAt = leads ? sendAt : Math.min(sendAt, at + Math.min(interval, 1_000));
    throttleTimer = setTimeout(() => {
      throttleTimer = undefined;
      schedule();
    }, wakeAt - at);
  }

  /** This tab sends the activity heartbeats: it leads and does not stand back for another leader. */
  function leading() {
    return options.isLeader() && !standsBack(ledger);
  }

  function clearThrottle() {
    clearTimeout(throttleTimer);
    throttleTimer = undefined;
  }

  return {
    /** This tab's rank, for the other tabs: see `standsBack`. */
    rank,
    lastActivityAt: () => ledger.lastActivityAt,
    /** True while this tab's own heartbeats carry the activity it knows of: it leads, not standing back. */
    leads: leading,
    /** New activity (this tab's or another's). False when it is not newer than what is known. */
    noteActivity(at: number): boolean {
      if (at <= ledger.lastActivityAt) return false;
      ledger = { ...ledger, lastActivityAt: at, pendingSince: ledger.pendingSince ?? now() };
      return true;
    },
    schedule,
    /** Stay signed in: an immediate heartbeat, whoever leads, instead of any retry that waits. */
    sendNow() {
      if (!requests.isRunning()) return;
      ledger = { ...ledger, lastActivityAt: Math.max(ledger.lastActivityAt, now()) };
      requests.cancelRetry();
      void requests.send(true);
    },
    /**
     * Another tab's heartbeat was answered; `leaderRank` is that tab's rank if it leads. True when
     * it reported all activity this tab knows of: then this tab's own retry has nothing left to
     * say, and is dropped.
     */
    heardElsewhere(sample: TimingSample, activityAt: number, leaderRank?: number): boolean {
      ledger = withAnswered(ledger, sample.sentAt, activityAt);
      if (leaderRank !== undefined && options.isLeader()) {
        ledger = withRival(ledger, { sentAt: sample.sentAt, activityAt, rank: leaderRank });
      }
      if (allReported()) requests.resetRetry();
      return allReported();
    },
    /** Starts (again, after `stop`): sends what activity is still unreported when it is due. */
    start() {
      requests.start();
      schedule();
    },
    /** Stops every timer until `start`; an answer that arrives meanwhile is ignored. */
    stop() {
      requests.stop();
      clearThrottle();
    },
  };
}

export type HeartbeatScheduler = ReturnType<typeof createHeartbeatScheduler>;

interface HeartbeatRequestsOptions extends Pick<
  HeartbeatSchedulerOptions,
  'send' | 'now' | 'beforeRetry' | 'beforeSend' | 'onAnswer'
> {
  /** The activity a request reports, read as it leaves. */
  activityAt(): number;
  /** A request reporting `activityAt` leaves at `sentAt`. */
  onSent(sentAt: number, activityAt: number): void;
}

/**
 * The requests themselves: one at a time, Stay signed in right after one in flight, retries with
 * backoff after a failure, and nothing more after a 401.
 */
function createHeartbeatRequests(options: HeartbeatRequestsOptions) {
  let inFlight = false;
  /** Stay signed in was chosen while another heartbeat was in flight: send it right after. */
  let stayPending = false;
  let running = false;
  const retry = createBackoff(maxRetryDelayMs);

  async function send(stay: boolean) {
    if (!running) return;
    if (inFlight) {
      if (stay) stayPending = true;
      return;
    }
    inFlight = true;
    options.beforeSend?.();
    const activityAt = options.activityAt();
    const sentAt = options.now();
    options.onSent(sentAt, activityAt);
    const outcome = await attempt(options.send, Math.max(0, sentAt - activityAt));
    inFlight = false;
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
    if (outcome.ok) retry.reset();
    options.onAnswer(outcome, activityAt); // on failure, the known deadline still decides when the session ends
    if (outcome.ok || !running) return;
    retry.after(() => {
      options.beforeRetry(stay);
      void send(stay);
    });
  }

  function stop() {
    running = false;
    retry.cancel();
  }

  return {
    send,
    isRunning: () => running,
    isBusy: () => inFlight,
    cancelRetry: retry.cancel,
    resetRetry: retry.reset,
    start: () => void (running = true),
    stop,
  };
}

/** A sender that throws is a network failure: the scheduler is never left waiting. */
async function attempt(send: HeartbeatSchedulerOptions['send'], idleForMs: number): Promise<HeartbeatOutcome> {
  try {
    return await send(idleForMs);
  } catch {
    return { ok: false, kind: 'network' };
  }
}

/** One retry timer with exponential backoff: 1 s, 2 s, 4 s ... at most `maxDelayMs`. */
function createBackoff(maxDelayMs: number) {
  let attempts = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    after(run: () => void) {
      const delay = Math.min(1000 * 2 ** attempts, maxDelayMs);
      attempts++;
      clearTimeout(timer);
      timer = setTimeout(run, delay);
    },
    /** Drops a waiting retry; the next failure waits as long as the next step. */
    cancel: () => clearTimeout(timer),
    /** Drops a waiting retry and starts over at 1 s. */
    reset() {
      attempts = 0;
      clearTimeout(timer);
    },
  };
}
