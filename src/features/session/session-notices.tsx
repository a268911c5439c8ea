import { formatClockTime } from '../../lib/duration';
import { useSessionSnapshot } from './session-provider';

/**
 * Quiet notices at the top of signed-in pages: the absolute limit ahead (which no activity
 * dismisses), a session hold that keeps the user signed in (decision 024), and a heartbeat that
 * is being retried.
 */
export function SessionNotices() {
  const { absoluteNotice, absoluteDeadline, reconnecting, phase, holdReason } = useSessionSnapshot();
  return (
    <div className="session-notices" role="status">
      {absoluteNotice && (
        <p className="notice notice-limit">
          Your session ends at {formatClockTime(absoluteDeadline)}, whatever you do; sign in again then to continue.
        </p>
      )}
      {holdReason !== null && phase === 'active' && (
        <p className="notice notice-held">Kept signed in while the {holdReason} runs.</p>
      )}
      {reconnecting && phase === 'active' && (
        <p className="notice notice-reconnecting">Reconnecting to the server… you are still signed in.</p>
      )}
    </div>
  );
}
