import { createContext, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useIdleTimer } from 'react-idle-timer';
import { api } from '../../lib/api';
import { isSignOutReason, type AuthStore, type SignOutReason } from '../auth';
import { watchFrameActivity } from './frame-activity';
import { heartbeatOutcome } from './heartbeat-outcome';
import { listenForInput } from './input-listener';
import {
  createSessionMonitor,
  type HeartbeatOutcome,
  type SessionMonitor,
  type SessionSnapshot,
  type TabMessage,
} from './session-monitor';
import { sameSnapshot, type TimingSample } from './session-state';

/**
 * What counts as the user working: pointer, keys, wheel, touch, scroll. Not focus or visibility.
 * Pointer events cover the mouse (a mouse move is a `pointermove`, then a `mousemove`): listening
 * to both ran the listener twice per move (decision 029). Continuous input is sampled once per
 * input window (input-listener.ts, decision 032).
 */
const discreteInputEvents = ['pointerdown', 'keydown', 'touchstart'] as const;
const continuousInputEvents = ['pointermove', 'wheel', 'touchmove', 'scroll'] as const;
const activityEvents = [...discreteInputEvents, ...continuousInputEvents];

/**
 * Events after which a tab must re-read the clock: a throttled or sleeping tab wakes here
 * (and on `visibilitychange`, which fires on the document).
 */
const windowWakeEvents = ['focus', 'online', 'pageshow'] as const;

const SessionContext = createContext<SessionMonitor | undefined>(undefined);

/** The session's monitor, for the warning dialog, the notices and the account page. */
export function useSessionMonitor(): SessionMonitor {
  const monitor = useContext(SessionContext);
  if (!monitor) throw new Error('useSessionMonitor must be used inside <SessionProvider>');
  return monitor;
}

/**
 * The part of the session's snapshot a component shows, `select`ed from it: the component renders
 * again only when that part changes (compared field by field), never because a heartbeat answer
 * moved a deadline it does not show. Without `select`, the whole snapshot, which changes with
 * every heartbeat answer. `select` must be stable: define it outside the component.
 */
export function useSessionSnapshot(): SessionSnapshot;
export function useSessionSnapshot<T extends object>(select: (snapshot: SessionSnapshot) => T): T;
export function useSessionSnapshot<T extends object>(select?: (snapshot: SessionSnapshot) => T): T | SessionSnapshot {
  const monitor = useSessionMonitor();
  const getSelected = useMemo((): (() => T | SessionSnapshot) => {
    if (!select) return monitor.getSnapshot;
    let last: T | undefined;
    return () => {
      const next = select(monitor.getSnapshot());
      if (last && sameSnapshot(last, next)) return last;
      return (last = next);
    };
  }, [monitor, select]);
  return useSyncExternalStore<T | SessionSnapshot>(monitor.subscribe, getSelected);
}

/**
 * Holds the session while `active` (decision 024): for work that runs without input, such as an
 * upload. Heartbeats say `{ hold: reason }` and keep the session alive, no idle warning opens in
 * any tab, and the page says "Kept signed in while the <reason> runs". Not past the absolute
 * limit (its notice still shows), nor past the server's MAX_HOLD (default 4 h) without input;
 * it ends with the component, with `active` false, or with the tab. When the last hold ends,
 * the idle clock starts from that moment.
 *
 * @param active whether the work is running now
 * @param reason what runs, a short noun (`"import"`): 1 to 40 letters, digits, spaces, `-` or `_`
 */
export function useSessionHold(active: boolean, reason: string): void {
  const monitor = useSessionMonitor();
  useEffect(() => (active ? monitor.hold(reason) : undefined), [monitor, active, reason]);
}

/**
 * Watches activity, keeps the server session alive while the user works, and ends it everywhere
 * when they do not answer the warning. Mounted only while someone is signed in.
 */
export function SessionProvider({
  auth,
  initial,
  sessionId,
  children,
}: {
  auth: AuthStore;
  initial: TimingSample;
  /** The public id of the session this provider watches: every sign-out it starts is about that one. */
  sessionId: string;
  children: ReactNode;
}) {
  const idleTimer = useIdleTimer({
    // react-idle-timer is the cross-tab bus and its leader election, nothing more: the deadline
    // is ours, and so is activity (the listeners in the effect below). Never started, it neither
    // listens nor keeps a timer: with its throttles off it cleared and set its own idle timeout
    // on every event, the largest cost of input on a signed-in page (decision 029).
    startManually: true,
    events: [],
    crossTab: true,
    leaderElection: true,
    name: 'idle-session',
    onMessage: (message: TabMessage) => {
      if (message.type === 'signed-out') {
        auth.signOut(isSignOutReason(message.reason) ? followReason(message.reason) : 'other-tab', {
          fromOtherTab: true,
          sessionId: message.sessionId,
        });
      } else {
        monitor.receive(message);
      }
    },
  });

  const broadcast = (message: TabMessage) => {
    try {
      idleTimer.message(message);
    } catch {
      // The channel closes on unmount (react-idle-timer #183, #242); nothing is left to tell.
    }
  };

  // Created once, on the first render, so the page renders at once (no empty first frame,
  // and a heading to focus after navigation). It runs only between start() and stop().
  const [monitor] = useState(() =>
    createSessionMonitor({
      initial,
      isLeader: () => idleTimer.isLeader(),
      broadcast,
      sendHeartbeat,
      onExpire: (reason) => auth.signOut(reason, { sessionId }),
    }),
  );

  useEffect(() => {
    const stopListening = auth.onSignOut(({ reason, fromOtherTab, sessionId: ended }) => {
      if (!fromOtherTab) broadcast({ type: 'signed-out', reason, sessionId: ended });
    });
    const askServer = serverCheck(auth, sessionId);
    const recheck = () => {
      monitor.check();
      if (document.visibilityState === 'visible') askServer();
    };
    for (const event of windowWakeEvents) window.addEventListener(event, recheck);
    document.addEventListener('visibilitychange', recheck);
    // A closing tab's holds end with it, at once for the other tabs (a crash: at their expiry).
    const leave = () => monitor.leave();
    window.addEventListener('pagehide', leave);
    // Input reaches the monitor about once per input window: the first event of a burst, then
    // listeners rest for the window (decisions 032, 036); where the browser counts keys and
    // presses, those of a rest are reported at its end. `reportInput` keeps the newest time of
    // input heard inside its window until the window ends (decision 029).
    const stopInput = listenForInput(document, {
      discrete: discreteInputEvents,
      continuous: continuousInputEvents,
      onInput: monitor.onInput,
      onInputDuringRest: (at) => monitor.reportActivity(at),
      restMs: monitor.inputWindowMs,
    });
    // Input inside iframes (the Help panel; allow-listed origins by postMessage) is activity too.
    let frameOrigins: readonly string[] = [];
    void auth.getPolicy().then((policy) => (frameOrigins = policy?.frameOrigins ?? []));
    const stopFrames = watchFrameActivity(document, {
      events: activityEvents,
      onActivity: () => monitor.reportInput(),
      allowedOrigins: () => frameOrigins,
    });
    monitor.start();
    // StrictMode stops and starts it again; a real unmount stops it for good.
    return () => {
      monitor.stop();
      for (const event of windowWakeEvents) window.removeEventListener(event, recheck);
      document.removeEventListener('visibilitychange', recheck);
      window.removeEventListener('pagehide', leave);
      stopInput();
      stopFrames();
      stopListening();
    };
    // `broadcast` only reads idleTimer, whose methods stay valid for the component's life.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [auth, monitor, sessionId]);

  return <SessionContext.Provider value={monitor}>{children}</SessionContext.Provider>;
}

/**
 * When a tab gains focus or becomes visible, `GET /api/session` (which extends nothing) asks the
 * server whether the session still lives: one ended from another device, or by the server, shows
 * at once, not at the next heartbeat. One request at a time.
 */
function serverCheck(auth: AuthStore, sessionId: string): () => void {
  let inFlight = false;
  return () => {
    if (inFlight) return;
    inFlight = true;
    void api.getSession().then((result) => {
      inFlight = false;
      if (result.ok || result.status !== 401) return;
      auth.signOut(result.error.error === 'session_revoked' ? 'revoked' : 'expired', { sessionId });
    });
  };
}

/** `POST /api/session/heartbeat`, as the monitor needs its answer; a 401 ends the session through the monitor. */
async function sendHeartbeat(idleForMs: number, hold?: string): Promise<HeartbeatOutcome> {
  return heartbeatOutcome(await api.heartbeat(hold === undefined ? { idleForMs } : { idleForMs, hold }));
}

/** A tab that follows another tab's sign-out says why: inactivity and limits are the same for all. */
function followReason(reason: SignOutReason): SignOutReason {
  return reason === 'signed-out' ? 'other-tab' : reason;
}
