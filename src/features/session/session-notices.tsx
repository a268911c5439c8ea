import { formatClockTime } from '../../lib/duration';
import { useSessionSnapshot } from './session-provider';

/**
 * Quiet notices at the top of signed-in pages: the absolute limit ahead (which no activity
 * dismisses), and a heartbeat that is being retried.
 */
export function SessionNotices() {
  const { absoluteNotice, absoluteDeadline, reconnecting, phase } = useSessionSnapshot();
  return (
    <div className="session-notices" role="status">
      {absoluteNotice && (
        <p className="notice notice-limit">
          Your session ends at {formatClockTime(absoluteDeadline)}, whatever you do; sign in again then to continue.
        </p>
      )}
      {reconnecting && phase === 'active' && (
        <p className="notice notice-reconnecting">Reconnecting to the server… you are still signed in.</p>
      )}
    </div>
  );
}
