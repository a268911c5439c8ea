import { formatClockTime } from '../../lib/duration';
import type { SessionSnapshot } from './session-monitor';
import { useSessionSnapshot } from './session-provider';

/** What the notices show: the absolute deadline only with its notice (heartbeat answers move it by milliseconds). */
function noticesView({ absoluteNotice, absoluteDeadline, reconnecting, phase, holdReason }: SessionSnapshot) {
  const active = phase === 'active';
  return {
    absoluteNotice,
    absoluteDeadline: absoluteNotice ? absoluteDeadline : 0,
    reconnecting: active && reconnecting,
    holdReason: active ? holdReason : null,
  };
}

/**
 * Quiet notices at the top of signed-in pages: the absolute limit ahead (which no activity
 * dismisses), a session hold that keeps the user signed in (decision 024), and a heartbeat that
 * is being retried.
 */
export function SessionNotices() {
  const { absoluteNotice, absoluteDeadline, reconnecting, holdReason } = useSessionSnapshot(noticesView);
  return (
    <div className="session-notices" role="status">
      {absoluteNotice && (
        <p className="notice notice-limit">
          Your session ends at {formatClockTime(absoluteDeadline)}, whatever you do; sign in again then to continue.
        </p>
      )}
      {holdReason !== null && <p className="notice notice-held">Kept signed in while the {holdReason} runs.</p>}
      {reconnecting && (
        <p className="notice notice-reconnecting">Reconnecting to the server… you are still signed in.</p>
      )}
    </div>
  );
}
