import { createContext, useContext, useLayoutEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useIdleTimer, type EventsType } from 'react-idle-timer';
import { api, type TimingSample } from '../../lib/api';
import { isSignOutReason, type SignOutReason } from '../../lib/paths';
import type { AuthStore } from '../auth/auth-store';
import { createSessionMonitor, type SessionMonitor, type TabMessage } from './session-monitor';

/** What counts as the user working: pointer, keys, wheel, touch, scroll. Not focus or visibility. */
const activityEvents: EventsType[] = [
  'mousemove',
  'mousedown',
  'pointerdown',
  'pointermove',
  'keydown',
  'wheel',
  'touchstart',
  'touchmove',
  'scroll',
];

/** Events after which a tab must re-read the clock: a throttled or sleeping tab wakes here. */
const wakeEvents = ['visibilitychange', 'focus', 'online', 'pageshow'] as const;

const SessionContext = createContext<SessionMonitor | undefined>(undefined);

/** The session's monitor, for the warning dialog, the notices and the account page. */
export function useSessionMonitor(): SessionMonitor {
  const monitor = useContext(SessionContext);
  if (!monitor) throw new Error('useSessionMonitor must be used inside <SessionProvider>');
  return monitor;
}

export function useSessionSnapshot() {
  const monitor = useSessionMonitor();
  return useSyncExternalStore(monitor.subscribe, monitor.getSnapshot);
}

/**
 * Watches activity, keeps the server session alive while the user works, and ends it everywhere
 * when they do not answer the warning. Mounted only while someone is signed in.
 */
export function SessionProvider({ auth, initial, children }: { auth: AuthStore; initial: TimingSample; children: ReactNode }) {
  const [monitor, setMonitor] = useState<SessionMonitor>();

  const idleTimer = useIdleTimer({
    // react-idle-timer is the activity detector and the cross-tab bus; the deadline is ours.
    timeout: initial.timing.idleTimeoutMs,
    events: activityEvents,
    // No throttling here: react-idle-timer's throttles keep the first event of a window and drop
    // the last, which would date the last activity early. The monitor's work per event is tiny,
    // and it throttles what it tells other tabs itself.
    eventsThrottle: 0,
    throttle: 0,
    crossTab: true,
    leaderElection: true,
    name: 'idle-session',
    onAction: () => monitor?.reportActivity(),
    onMessage: (message: TabMessage) => {
      if (message.type === 'signed-out') {
        auth.signOut(isSignOutReason(message.reason) ? followReason(message.reason) : 'other-tab', { fromOtherTab: true });
      } else {
        monitor?.receive(message);
      }
    },
  });

  // Layout effect: the monitor exists before the first paint, so protected content never flashes without it.
  useLayoutEffect(() => {
    const broadcast = (message: TabMessage) => {
      try {
        idleTimer.message(message);
      } catch {
        // The channel closes on unmount (react-idle-timer #183, #242); nothing is left to tell.
      }
    };
    const created = createSessionMonitor({
      initial,
      isLeader: () => idleTimer.isLeader(),
      broadcast,
      sendHeartbeat: async (idleForMs) => {
        const result = await api.heartbeat({ idleForMs });
        if (result.ok) return { ok: true, sample: { timing: result.data.session, sentAt: result.sentAt } };
        return { ok: false, kind: result.status === 401 ? 'unauthenticated' : result.status === 0 ? 'network' : 'rejected' };
      },
      onExpire: (reason) => auth.signOut(reason),
    });
    const stopListening = auth.onSignOut(({ reason, fromOtherTab }) => {
      if (!fromOtherTab) broadcast({ type: 'signed-out', reason });
    });
    const recheck = () => created.check();
    for (const event of wakeEvents) window.addEventListener(event, recheck);
    document.addEventListener('visibilitychange', recheck);
    created.start();
    // The monitor owns timers, so it lives and dies with this effect (StrictMode runs it twice);
    // rendering waits for the one that is running.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setMonitor(created);
    return () => {
      for (const event of wakeEvents) window.removeEventListener(event, recheck);
      document.removeEventListener('visibilitychange', recheck);
      stopListening();
      created.dispose();
    };
    // The monitor lives as long as this signed-in session; `initial` only seeds it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [auth]);

  if (!monitor) return null;
  return <SessionContext.Provider value={monitor}>{children}</SessionContext.Provider>;
}

/** A tab that follows another tab's sign-out says why: inactivity and limits are the same for all. */
function followReason(reason: SignOutReason): SignOutReason {
  return reason === 'signed-out' ? 'other-tab' : reason;
}
